/**
 * Row-level security and policies. Every change here is a SECURITY hazard; whether it
 * widens access is stated per statement. Order matters (see context.ts): policies are
 * created before RLS is enabled and RLS is disabled before policies are dropped, and
 * both happen in the table's one transaction, so no reader sees a half state.
 */
import type { PolicyDecl } from "../../model/types";
import type { CatalogPolicy } from "../catalog-types";
import { alterPolicySql, createPolicySql, dropPolicySql, rlsSql } from "../ddl";
import { hazard } from "../hazards";
import { PHASE, type TableDiff } from "./context";

interface Shape {
  readonly command: string;
  readonly permissive: boolean;
  readonly roles: readonly string[];
  readonly using?: string;
  readonly withCheck?: string;
}

/** The declared USING / WITH CHECK as PostgreSQL prints them (normalised), else as written. */
function declaredPredicates(d: TableDiff, p: PolicyDecl): { using?: string; withCheck?: string } {
  const key = `${d.key}:${p.name}`;
  return {
    ...(p.using ? { using: d.ctx.normalized.using.get(key) ?? p.using.sql } : {}),
    ...(p.withCheck ? { withCheck: d.ctx.normalized.withCheck.get(key) ?? p.withCheck.sql } : {}),
  };
}

function declaredShape(d: TableDiff, p: PolicyDecl): Shape {
  return { command: p.command, permissive: p.permissive, roles: [...p.roles].sort(), ...declaredPredicates(d, p) };
}

function liveShape(p: CatalogPolicy): Shape {
  return { command: p.command, permissive: p.permissive, roles: [...p.roles].sort(), ...(p.using ? { using: p.using } : {}), ...(p.withCheck ? { withCheck: p.withCheck } : {}) };
}

export function describePolicy(s: Shape): string {
  return [
    `AS ${s.permissive ? "PERMISSIVE" : "RESTRICTIVE"} FOR ${s.command.toUpperCase()} TO ${s.roles.join(", ")}`,
    s.using !== undefined ? `USING ${s.using}` : "",
    s.withCheck !== undefined ? `WITH CHECK ${s.withCheck}` : "",
  ]
    .filter((x) => x)
    .join(" ");
}

/** Whether the live policy is the declared one; shapes are built only for what differs (most policies match). */
function matchesLive(d: TableDiff, p: PolicyDecl, l: CatalogPolicy): boolean {
  if (p.command !== l.command || p.permissive !== l.permissive || p.roles.length !== l.roles.length) return false;
  const { using, withCheck } = declaredPredicates(d, p);
  if (using !== l.using || withCheck !== l.withCheck) return false;
  if (p.roles.length === 1) return p.roles[0] === l.roles[0];
  const a = [...p.roles].sort();
  const b = [...l.roles].sort();
  return a.every((r, i) => r === b[i]);
}

export function diffPolicies(d: TableDiff): void {
  const live = new Map((d.live?.policies ?? []).map((p) => [p.name, p]));
  const declared = new Set(d.decl.policies.map((p) => p.name));
  for (const l of d.live?.policies ?? []) {
    if (declared.has(l.name)) continue;
    const object = `policy ${l.name} on ${d.key}`;
    d.driftItem(object, "(not declared)", describePolicy(liveShape(l)), true);
    d.change({
      phase: PHASE.unhook,
      id: d.id("policy", l.name, "drop"),
      object,
      action: "drop",
      sql: dropPolicySql(d.decl, l.name),
      lock: "ACCESS EXCLUSIVE",
      hazards: [hazard.security(l.permissive ? `Removes permissive policy ${l.name}: the rows it admitted are no longer visible through it.` : `Removes restrictive policy ${l.name}: rows it filtered out may become visible.`, !l.permissive)],
    });
  }
  for (const p of d.decl.policies) {
    const l = live.get(p.name);
    if (l && matchesLive(d, p, l)) continue;
    const object = `policy ${p.name} on ${d.key}`;
    const want = declaredShape(d, p);
    // Built only when needed: most declared policies match their live one.
    const create = () => ({
      phase: PHASE.policies,
      id: d.id("policy", p.name, "create"),
      object,
      action: "create" as const,
      sql: createPolicySql(d.decl, p),
      lock: "ACCESS EXCLUSIVE" as const,
      hazards: [hazard.security(p.permissive ? `Adds permissive policy ${p.name} for ${p.command} to ${p.roles.join(", ")}: those roles may see or change the rows it admits.` : `Adds restrictive policy ${p.name}.`, p.permissive)],
    });
    if (!l) {
      if (d.live) d.driftItem(object, describePolicy(want), "(missing)", true);
      d.change(create());
      continue;
    }
    const have = liveShape(l);
    d.driftItem(object, describePolicy(want), describePolicy(have), true);
    if (want.command !== have.command || want.permissive !== have.permissive) {
      // ALTER POLICY cannot change the command or permissiveness.
      d.change({ phase: PHASE.unhook, id: d.id("policy", p.name, "drop"), object, action: "replace", sql: dropPolicySql(d.decl, p.name), lock: "ACCESS EXCLUSIVE", hazards: [hazard.security(`Replaces policy ${p.name} (command or permissiveness changed).`, true)] });
      d.change(create());
      continue;
    }
    const widensRoles = want.roles.some((r) => !have.roles.includes(r));
    d.change({
      phase: PHASE.policies,
      id: d.id("policy", p.name, "alter"),
      object,
      action: "alter",
      sql: alterPolicySql(d.decl, p),
      lock: "ACCESS EXCLUSIVE",
      hazards: [hazard.security(`Changes policy ${p.name}${widensRoles ? " and applies it to more roles" : ""}; the new predicates may admit rows the old ones did not.`, true)],
    });
  }
  diffRls(d);
}

function diffRls(d: TableDiff): void {
  const t = d.decl;
  const liveEnabled = d.live?.rlsEnabled ?? false;
  const liveForced = d.live?.rlsForced ?? false;
  const object = `row level security on ${d.key}`;
  if (t.rls.enabled !== liveEnabled) {
    if (d.live) d.driftItem(object, t.rls.enabled ? "enabled" : "disabled", liveEnabled ? "enabled" : "disabled", true);
    d.change(
      t.rls.enabled
        ? { phase: PHASE.rls, id: d.id("rls", "enable", "alter"), object, action: "alter", sql: rlsSql(t, "enable"), lock: "ACCESS EXCLUSIVE", hazards: [hazard.security(`Enables row level security on ${d.key}: only rows admitted by a policy stay visible.`, false)] }
        : { phase: PHASE.unhook, id: d.id("rls", "disable", "alter"), object, action: "alter", sql: rlsSql(t, "disable"), lock: "ACCESS EXCLUSIVE", hazards: [hazard.security(`Disables row level security on ${d.key}: every role with a table privilege sees every row.`, true)] },
    );
  }
  if (t.rls.forced !== liveForced) {
    if (d.live) d.driftItem(`forced ${object}`, t.rls.forced ? "forced" : "not forced", liveForced ? "forced" : "not forced", true);
    d.change({
      phase: PHASE.rls,
      id: d.id("rls", t.rls.forced ? "force" : "no-force", "alter"),
      object,
      action: "alter",
      sql: rlsSql(t, t.rls.forced ? "force" : "no force"),
      lock: "ACCESS EXCLUSIVE",
      hazards: [t.rls.forced ? hazard.security(`Forces row level security on ${d.key}: its owner is held to the policies too.`, false) : hazard.security(`Stops forcing row level security on ${d.key}: its owner sees every row.`, true)],
    });
  }
}
