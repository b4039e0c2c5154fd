/**
 * The drift database A carries on top of the declared schema: a few hand changes of
 * the kinds that happen in production (a policy loosened or widened to another role,
 * a policy or index or foreign key dropped, a grant added, FORCE RLS turned off).
 * Each kind lands on its own table, so a tool's output for that table can only be
 * the fix for that one item.
 */
import { tenantTableName } from "./synthetic";

export const DRIFT_KINDS = ["policy-using", "policy-roles", "policy-missing", "index-missing", "fk-missing", "grant-added", "force-rls-off"] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export interface DriftItem {
  readonly kind: DriftKind;
  readonly table: string;
  /** The name a fix must mention: the policy, index or constraint, or the table for table-level state. */
  readonly object: string;
  /** What a statement fixing it must also say (so a mention of the name alone does not count). */
  readonly fix: RegExp;
  /** Applied to database A to introduce the drift. */
  readonly sql: string;
  readonly description: string;
}

function item(kind: DriftKind, i: number): DriftItem {
  const t = tenantTableName(i);
  const q = `public.${t}`;
  switch (kind) {
    case "policy-using":
      return { kind, table: t, object: `${t}_select`, fix: /\bpolicy\b/i, sql: `alter policy ${t}_select on ${q} using (true);`, description: "SELECT policy loosened to USING (true)" };
    case "policy-roles":
      return { kind, table: t, object: `${t}_update`, fix: /\bpolicy\b/i, sql: `alter policy ${t}_update on ${q} to authenticated, anon;`, description: "UPDATE policy widened TO anon" };
    case "policy-missing":
      return { kind, table: t, object: `${t}_delete`, fix: /\bcreate\s+policy\b/i, sql: `drop policy ${t}_delete on ${q};`, description: "DELETE policy dropped" };
    case "index-missing":
      return { kind, table: t, object: `idx_${t}_customer_id_created_at`, fix: /\bcreate\s+(unique\s+)?index\b/i, sql: `drop index public.idx_${t}_customer_id_created_at;`, description: "index dropped" };
    case "fk-missing":
      return { kind, table: t, object: `${t}_customer_id_fkey`, fix: /\bforeign\s+key\b/i, sql: `alter table ${q} drop constraint ${t}_customer_id_fkey;`, description: "foreign key dropped" };
    case "grant-added":
      return { kind, table: t, object: t, fix: /\brevoke\b[\s\S]*\banon\b/i, sql: `grant select on ${q} to anon;`, description: "SELECT granted to anon" };
    case "force-rls-off":
      // "no force" is the drift itself; the fix is the positive form.
      return { kind, table: t, object: t, fix: /(?<!no\s+)\bforce\s+row\s+level\s+security\b/i, sql: `alter table ${q} no force row level security;`, description: "FORCE RLS turned off" };
  }
}

/**
 * Drift for a schema of `n` tenant tables: about 1% of the tables (at least one per
 * kind), spread evenly, kinds in rotation. Deterministic, so every run diffs the same state.
 */
export function driftItems(n: number): DriftItem[] {
  const count = Math.min(n, Math.max(DRIFT_KINDS.length, Math.round(n / 100)));
  if (count < DRIFT_KINDS.length) throw new Error(`need at least ${DRIFT_KINDS.length} tables for one drift of each kind, got ${n}`);
  return Array.from({ length: count }, (_, k) => item(DRIFT_KINDS[k % DRIFT_KINDS.length], 1 + Math.floor((k * n) / count)));
}
