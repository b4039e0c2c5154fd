/**
 * Pieces every table of the platform shares: the caller's identity as a policy
 * predicate, the per-command policies of a tenant table, and the backend's grants.
 */
import { grant, policy, sql, type GrantDecl, type PolicyBuilder, type SqlExpr } from "../model";

/**
 * "The signed-in customer owns this row". `(select auth.uid())` makes PostgreSQL
 * evaluate the caller's id once per statement (an initPlan) instead of once per row.
 */
export function ownedBy(column: string): SqlExpr {
  // Column names come from the declarations in this folder, never from input.
  return { sql: `${column} = (select auth.uid())` };
}

export type RowCommand = "select" | "insert" | "update" | "delete";

/**
 * One permissive policy per command, `TO authenticated`, named `<table>_<command>`
 * (today's names, so adoption replaces them in place). INSERT checks the new row,
 * UPDATE checks the old and the new row (a row cannot be moved to another tenant),
 * SELECT and DELETE filter existing rows.
 */
export function tenantPolicies(tableName: string, tenancyColumn: string, commands: readonly RowCommand[]): PolicyBuilder[] {
  const own = ownedBy(tenancyColumn);
  return commands.map((command) => {
    const p = policy(`${tableName}_${command}`).for(command).to("authenticated");
    if (command === "insert") return p.withCheck(own);
    if (command === "update") return p.using(own).withCheck(own);
    return p.using(own);
  });
}

/**
 * The backend (`service_role`) reads and writes every table; BYPASSRLS lets it past the
 * policies, but it still needs the privileges, which this model grants explicitly
 * rather than relying on Supabase's default privileges. No TRUNCATE: the backend
 * never needs it and it skips row triggers.
 */
export const backendGrant: GrantDecl = grant("service_role").privileges("select", "insert", "update", "delete");

/** `'{}'` for jsonb and text[] defaults. */
export const emptyJson = sql`'{}'::jsonb`;
export const emptyTextArray = sql`'{}'::text[]`;
