/**
 * ACLs are read as `aclitem` text and split in Node (acl.ts); what comes out must be
 * exactly what `aclexplode` says, for awkward role names and grant options too.
 */
import { describe, expect, it } from "vitest";
import { parseAcl, parseAclItem } from "../../schema/engine/acl";
import { introspect } from "../../schema/engine";
import { pgServers } from "../support/db";
import { exec, preparedDatabases } from "./support";

// Roles are server-wide: created idempotently (two files may race), never dropped.
const ROLES = ['ve_acl_plain', 've_acl_Mixed', 've acl "quoted", odd=/*'];
const createRoles = ROLES.map((r) => `do $$ begin create role "${r.replace(/"/g, '""')}"; exception when duplicate_object or unique_violation then null; end $$;`).join("\n");

describe("parseAclItem", () => {
  it("reads PUBLIC, quoted names and grant options", () => {
    expect(parseAclItem("=r/postgres")).toEqual([{ grantee: "PUBLIC", privilege: "select", grantable: false }]);
    expect(parseAclItem('"a ""b"""=a*rw/postgres')).toEqual([
      { grantee: 'a "b"', privilege: "insert", grantable: true },
      { grantee: 'a "b"', privilege: "select", grantable: false },
      { grantee: 'a "b"', privilege: "update", grantable: false },
    ]);
  });

  it("refuses text that is not an aclitem, naming it", () => {
    expect(() => parseAclItem("nobody")).toThrow(/aclitem "nobody"/);
    expect(() => parseAclItem("x=q/postgres")).toThrow(/unknown privilege letter "q"/);
    expect(() => parseAclItem('"open=r/postgres')).toThrow(/unterminated/);
  });
});

describe.each(pgServers())("ACLs read as text on $name", (server) => {
  const fresh = preparedDatabases(server, "acl");

  it("give what aclexplode gives, item by item, on tables and columns", async () => {
    const db = await fresh();
    const q = (r: string) => `"${r.replace(/"/g, '""')}"`;
    await exec(db, `${createRoles}
      create table public.t (a int, b text);
      grant select, insert on public.t to ${q(ROLES[0])} with grant option;
      grant update, delete, truncate, references, trigger on public.t to ${q(ROLES[1])};
      grant select on public.t to ${q(ROLES[2])}, public;
      grant update (b) on public.t to ${q(ROLES[2])} with grant option;
      grant select (a, b) on public.t to ${q(ROLES[1])};`);
    const client = await db.client();
    const explode = async (aclSql: string) =>
      (await client.query<{ grantee: string; privilege: string; grantable: boolean; text: string[] }>(
        `select case when x.grantee = 0 then 'PUBLIC' else pg_get_userbyid(x.grantee)::text end as grantee, lower(x.privilege_type) as privilege, x.is_grantable as grantable
           from (${aclSql}) acl, aclexplode(acl.a) x`,
      )).rows.map(({ grantee, privilege, grantable }) => ({ grantee, privilege, grantable }));
    const texts = async (aclSql: string) => (await client.query<{ t: string[] }>(`select a::text[] as t from (${aclSql}) acl`)).rows[0].t;
    const tableAcl = "select relacl as a from pg_class where oid = 'public.t'::regclass";
    const columnAcl = "select attacl as a from pg_attribute where attrelid = 'public.t'::regclass and attname = 'b'";
    for (const acl of [tableAcl, columnAcl]) {
      const exploded = await explode(acl);
      expect(exploded.length).toBeGreaterThanOrEqual(2);
      expect(parseAcl(await texts(acl))).toEqual(exploded);
    }
    // And through the catalog read (sorted there): the same set.
    const t = (await introspect(db.config, ["public"])).tables.find((x) => x.name === "t");
    const sort = (p: readonly { grantee: string; privilege: string }[]) => [...p].map((x) => JSON.stringify(x)).sort();
    expect(sort(t?.privileges ?? [])).toEqual(sort(await explode(tableAcl)));
    expect(sort(t?.columns.find((c) => c.name === "b")?.privileges ?? [])).toEqual(sort(await explode(columnAcl)));
  });
});
