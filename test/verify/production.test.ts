/**
 * Today's production database (production-schema.md, with rows in every table) has
 * the holes the target lists; the verifier must find each of them, and none once the
 * engine has converged the same database, rows and all.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, pgServers, type TestDatabase } from "../support/db";
import { loadProductionState } from "../fixtures/production";
import { preparePlatform } from "../../schema/platform";
import { platformSchema } from "../../schema/app";
import { apply, plan } from "../../schema/engine";
import { lint, verifyIsolation, type Finding, type IsolationReport } from "../../schema/verify";

const found = (findings: readonly Finding[], check: string, object: string): boolean => findings.some((f) => f.check === check && f.object === object);
const outcome = (r: IsolationReport, actor: string, object: string, kind: string) => r.attempts.find((a) => a.actor === actor && a.object === object && a.kind === kind);

describe.each(pgServers())("today's production database on $name", (server) => {
  let db: TestDatabase;
  let lintBefore: Finding[];
  let before: IsolationReport;

  beforeAll(async () => {
    db = await createTestDatabase(server, "verify_prod");
    await preparePlatform(db.config, "postgres");
    await loadProductionState(await db.client(), { optionalTables: true });
    lintBefore = await lint(db.config, platformSchema);
    before = await verifyIsolation(db.config, platformSchema);
  });
  afterAll(async () => db?.drop());

  it.each([
    ["rls_disabled_in_public", "public.customers"],
    ["rls_disabled_in_public", "public.ve_connections"],
    ["rls_disabled_in_public", "public.security_audit_log"],
    ["auth_rls_initplan", 'public.tasks."Users can view their own tasks"'],
    ["policy_without_role", "public.customer_ves.customer_ves_select"],
    ["tenant_table_rls_not_forced", "public.tasks"],
    ["anon_grant_on_tenant_table", "public.messages"],
    ["anon_security_definer_function_executable", "public.set_customer_context(customer_uuid uuid)"],
    ["function_search_path_mutable", "public.set_customer_context(customer_uuid uuid)"],
  ])("lint finds %s on %s", (check, object) => {
    expect(found(lintBefore, check, object)).toBe(true);
  });

  it.each([
    ["A", "public.customers", "read_other"],
    ["B", "public.ve_connections", "read_other"],
    ["anon", "public.customers", "read_any"],
    ["anon", "public.ve_connections", "insert_any"],
    ["A", "public.tasks", "reference_update:tasks_assigned_to_ve_tenant_fkey"],
    ["A", "public.ve_connections", "reference_insert:ve_connections_from_ve_id_tenant_fkey"],
    ["A", "public.api_keys", "forbidden_select:key_hash"],
    ["B", "public.customers", "forbidden_update:subscription_tier"],
    ["A", "public.security_audit_log", "forbidden_delete"],
    ["A", "public.set_customer_context(customer_uuid uuid)", "context_switch"],
  ])("the isolation suite catches %s on %s: %s", (actor, object, kind) => {
    expect(outcome(before, actor, object, kind)).toMatchObject({ actual: "allowed", ok: false });
    expect(found(before.findings, "isolation_breach", object)).toBe(true);
  });

  it("reports a privilege the model does not grant even where a policy holds the row back", () => {
    // Supabase's default privileges: anon may INSERT into tasks; only the policy rejects the row.
    expect(outcome(before, "anon", "public.tasks", "insert_any")).toMatchObject({ expected: "denied", actual: "rejected", ok: false });
    expect(found(before.findings, "excess_privilege", "public.tasks")).toBe(true);
  });

  it("finds nothing once the engine has converged the database, rows included", async () => {
    await apply(db.config, await plan(db.config, platformSchema, { platform: "postgres" }));
    expect(await lint(db.config, platformSchema)).toEqual([]);
    const after = await verifyIsolation(db.config, platformSchema);
    expect(after.findings).toEqual([]);
    // The real customers' rows are there: reading "anyone else's" rows had something to find.
    const c = await db.client();
    const { rows } = await c.query<{ n: number }>("select count(*)::int as n from public.tasks");
    expect(rows[0].n).toBeGreaterThan(0);
  });
});
