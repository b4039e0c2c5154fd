/**
 * `aclitem` text, as PostgreSQL prints it, read into the privileges `aclexplode` would
 * return. The catalog read sends ACLs as text (`{grantee=privileges/grantor, ...}`):
 * at 1,000 tables, exploding ~10,000 items into JSON objects on the server cost more
 * than splitting them here, and the server's time is on a plan's critical path.
 *
 * The format (src/backend/utils/adt/acl.c, aclitemout): the grantee's name, empty for
 * PUBLIC, in double quotes (with "" for ") unless it is made of letters, digits and
 * `_`, or the role's OID when it no longer exists; `=`; one letter per privilege in
 * the order of their bits, each followed by `*` when it is grantable; `/` and the
 * grantor. Letters and names below are those of `aclexplode`'s `privilege_type`.
 */
import type { CatalogPrivilege } from "./catalog-types";

const PRIVILEGE_OF_LETTER: Readonly<Record<string, string>> = {
  a: "insert",
  r: "select",
  w: "update",
  d: "delete",
  D: "truncate",
  x: "references",
  t: "trigger",
  X: "execute",
  U: "usage",
  C: "create",
  T: "temporary",
  c: "connect",
  s: "set",
  A: "alter system",
  m: "maintain",
};

/** One `aclitem` as `aclexplode` would explode it (grantor left out). */
export function parseAclItem(item: string, out: CatalogPrivilege[] = []): CatalogPrivilege[] {
  let i = 0;
  let grantee = "";
  if (item[0] === '"') {
    i = 1;
    for (;;) {
      const q = item.indexOf('"', i);
      if (q < 0) throw new Error(`aclitem ${JSON.stringify(item)}: unterminated quoted name`);
      grantee += item.slice(i, q);
      if (item[q + 1] === '"') {
        grantee += '"';
        i = q + 2;
      } else {
        i = q + 1;
        break;
      }
    }
  } else {
    const eq = item.indexOf("=");
    grantee = item.slice(0, eq < 0 ? 0 : eq);
    i = eq < 0 ? 0 : eq;
  }
  if (item[i] !== "=") throw new Error(`aclitem ${JSON.stringify(item)}: expected "=" after the grantee`);
  if (grantee === "") grantee = "PUBLIC";
  for (i++; i < item.length && item[i] !== "/"; i++) {
    const privilege = PRIVILEGE_OF_LETTER[item[i]];
    if (privilege === undefined) throw new Error(`aclitem ${JSON.stringify(item)}: unknown privilege letter ${JSON.stringify(item[i])}`);
    const grantable = item[i + 1] === "*";
    if (grantable) i++;
    out.push({ grantee, privilege, grantable });
  }
  return out;
}

/** A whole ACL (`aclitem[]` sent as a JSON array of texts), item by item in order. */
export function parseAcl(items: readonly string[]): CatalogPrivilege[] {
  const out: CatalogPrivilege[] = [];
  for (const item of items) parseAclItem(item, out);
  return out;
}
