/**
 * Table and column privileges, compared as sets of (role, privilege[, column]) from
 * aclexplode, for the roles the model manages plus PUBLIC. The owner's own
 * privileges and roles the model does not name are left alone.
 *
 * Revoking a table privilege also revokes that privilege on every column, so
 * revokes go first and the declared column grants of that privilege are re-issued.
 */
import { grantSql, revokeSql } from "../ddl";
import { hazard } from "../hazards";
import { PHASE, type TableDiff } from "./context";

const SEP = "\u0001";

/** `key` identifies the entry (role, privilege, column); built once per entry. */
type Entry = { readonly role: string; readonly privilege: string; readonly column?: string; readonly key: string };

function entry(role: string, privilege: string, column?: string): Entry {
  const key = `${role}|${privilege}|${column ?? ""}`;
  return column === undefined ? { role, privilege, key } : { role, privilege, column, key };
}

function normRole(r: string): string {
  return r.toLowerCase() === "public" ? "PUBLIC" : r;
}

function byRole(entries: readonly Entry[]): Map<string, Entry[]> {
  const m = new Map<string, Entry[]>();
  for (const e of entries) m.set(e.role, [...(m.get(e.role) ?? []), e]);
  return m;
}

export function diffGrants(d: TableDiff, opts: { fresh: boolean }): void {
  const owner = d.live?.owner ?? d.ctx.currentUser;
  const managed = (r: string): boolean => r !== owner && r !== d.ctx.currentUser && d.ctx.managedRoles.has(r);
  const want: Entry[] = [];
  for (const g of d.decl.grants) {
    const role = normRole(g.role);
    if (!managed(role)) continue;
    for (const privilege of g.privileges) {
      if (g.columns && g.columns.length > 0) for (const column of g.columns) want.push(entry(role, privilege, column));
      else want.push(entry(role, privilege));
    }
  }
  const have: Entry[] = [];
  if (opts.fresh) {
    // A new table may get default privileges (Supabase grants ALL to its API roles by
    // default); start from nothing for every managed role so the result is exactly declared.
    const roles = [...d.ctx.managedRoles].filter(managed).sort();
    if (roles.length > 0)
      d.change({ phase: PHASE.grants, id: d.id("grant", "all", "revoke"), object: `privileges on ${d.key}`, action: "alter", sql: revokeSql(d.decl, roles, ["all"]), lock: "SHARE UPDATE EXCLUSIVE", hazards: [] });
  } else {
    for (const p of d.live?.privileges ?? []) if (managed(p.grantee)) have.push(entry(p.grantee, p.privilege));
    for (const c of d.live?.columns ?? []) for (const p of c.privileges) if (managed(p.grantee)) have.push(entry(p.grantee, p.privilege, c.name));
  }
  const wantKeys = new Set(want.map((e) => e.key));
  const haveKeys = new Set(have.map((e) => e.key));
  const extra = have.filter((e) => !wantKeys.has(e.key));
  let missing = want.filter((e) => !haveKeys.has(e.key));
  // Nothing to grant or revoke: the common case, done.
  if (extra.length === 0 && missing.length === 0) return;
  const revokedTablePrivs = new Set(extra.filter((e) => !e.column).map((e) => `${e.role}|${e.privilege}`));
  missing = [...missing, ...want.filter((e) => e.column && haveKeys.has(e.key) && revokedTablePrivs.has(`${e.role}|${e.privilege}`))];

  for (const [role, entries] of byRole(extra)) {
    const object = `privileges of ${role} on ${d.key}`;
    d.driftItem(object, describe(want.filter((e) => e.role === role)), describe(have.filter((e) => e.role === role)), true);
    for (const [cols, privs] of groupByColumns(entries))
      d.change({ phase: PHASE.grants, id: d.id("grant", `${role}:${privs.join(",")}${cols ? `:${cols.split(SEP).join(",")}` : ""}`, "revoke"), object, action: "alter", sql: revokeSql(d.decl, role, privs, cols ? cols.split(SEP) : undefined), lock: "SHARE UPDATE EXCLUSIVE", hazards: [hazard.security(`Revokes ${privs.join(", ")}${cols ? ` (${cols.split(SEP).join(", ")})` : ""} on ${d.key} from ${role}.`, false)] });
  }
  for (const [role, entries] of byRole(missing)) {
    const object = `privileges of ${role} on ${d.key}`;
    if (!opts.fresh && !extra.some((e) => e.role === role)) d.driftItem(object, describe(want.filter((e) => e.role === role)), describe(have.filter((e) => e.role === role)), true);
    for (const [cols, privs] of groupByColumns(entries))
      d.change({ phase: PHASE.grants, id: d.id("grant", `${role}:${privs.join(",")}${cols ? `:${cols.split(SEP).join(",")}` : ""}`, "grant"), object, action: "alter", sql: grantSql(d.decl, role, privs, cols ? cols.split(SEP) : undefined), lock: "SHARE UPDATE EXCLUSIVE", hazards: [hazard.security(`Grants ${privs.join(", ")}${cols ? ` (${cols.split(SEP).join(", ")})` : ""} on ${d.key} to ${role}.`, true)] });
  }
}

/** Groups entries so that one statement covers privileges sharing the same column set. */
function groupByColumns(entries: readonly Entry[]): Map<string, string[]> {
  const perPriv = new Map<string, string[]>();
  for (const e of entries) if (e.column) perPriv.set(e.privilege, [...(perPriv.get(e.privilege) ?? []), e.column]);
  const out = new Map<string, string[]>();
  const tablePrivs = entries.filter((e) => !e.column).map((e) => e.privilege);
  if (tablePrivs.length > 0) out.set("", [...new Set(tablePrivs)].sort());
  for (const [priv, cols] of perPriv) {
    const k = [...new Set(cols)].sort().join(SEP);
    out.set(k, [...(out.get(k) ?? []), priv].sort());
  }
  return out;
}

function describe(entries: readonly Entry[]): string {
  if (entries.length === 0) return "(none)";
  return entries.map((e) => `${e.privilege}${e.column ? `(${e.column})` : ""}`).sort().join(", ");
}
