import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "pg";
import { createTestDatabase, pgServers, type TestDatabase } from "../support/db";
import { preparePlatform } from "../../schema/platform";
import {
  CORE_TABLES, FIXTURE_ANOMALIES, OPTIONAL_TABLES, fixtureId, loadProductionState, loadScaledProductionState,
} from "../fixtures/production";

describe.each(pgServers())("production-state fixture on $name", (server) => {
  let full: TestDatabase;
  let core: TestDatabase;
  let c: Client;

  beforeAll(async () => {
    [full, core] = await Promise.all([createTestDatabase(server, "prod"), createTestDatabase(server, "prodcore")]);
    await Promise.all([preparePlatform(full.config, "postgres"), preparePlatform(core.config, "postgres")]);
    c = await full.client();
    const started = Date.now();
    await loadProductionState(c, { optionalTables: true });
    // A few dozen rows per table: it must stay fast enough to load in every test file.
    expect(Date.now() - started).toBeLessThan(2000);
  });

  afterAll(async () => {
    await full?.drop();
    await core?.drop();
  });

  it("holds rows in every table, for at least 3 customers", async () => {
    for (const table of [...CORE_TABLES, ...OPTIONAL_TABLES]) {
      const { rows } = await c.query<{ n: number }>(`select count(*)::int as n from public.${table}`);
      expect(rows[0].n, table).toBeGreaterThanOrEqual(table === "customers" ? 3 : 6);
      expect(rows[0].n, table).toBeLessThan(100);
    }
    const { rows } = await c.query("select count(distinct customer_id)::int as n from public.tasks");
    expect(rows[0].n).toBe(3);
  });

  it("carries the drift of production-schema.md, with values", async () => {
    const col = async (table: string, column: string): Promise<string | undefined> =>
      (await c.query<{ t: string }>("select format_type(atttypid, atttypmod) as t from pg_attribute where attrelid = $1::regclass and attname = $2 and not attisdropped", [`public.${table}`, column])).rows[0]?.t;
    expect(await col("messages", "message_type")).toBe("text");
    expect(await col("customer_ves", "created_at")).toBe("timestamp without time zone");
    expect(await col("customer_ves", "hired_at")).toBe("timestamp without time zone");
    expect(await col("virtual_employees", "last_synced_at")).toBe("timestamp without time zone");
    for (const drift of ["namespace", "kagent_namespace", "kagent_version", "token_billing"]) expect(await col("virtual_employees", drift), drift).toBeDefined();
    const { rows: values } = await c.query(
      `select (select count(*)::int from public.virtual_employees where kagent_version is not null and token_billing is not null and last_synced_at is not null) as ve,
              (select count(*)::int from public.customer_ves where created_at is not null and updated_at is not null) as cve,
              (select count(distinct message_type)::int from public.messages) as mt`,
    );
    expect(values[0]).toEqual({ ve: 12, cve: 12, mt: 2 });
    const { rows: checks } = await c.query("select pg_get_constraintdef(oid) as d from pg_constraint where conname = 'virtual_employees_estimated_usage_check'");
    expect(checks[0].d).toMatch(/light.*medium.*heavy/);
    const { rows: idx } = await c.query<{ indexname: string; indexdef: string }>(
      "select indexname, indexdef from pg_indexes where indexname in ('idx_ve_category', 'idx_ve_featured', 'idx_ve_tags', 'idx_customer_ves_agent_type', 'idx_messages_to_ve_id') order by indexname",
    );
    expect(idx.map((i) => i.indexname)).toEqual(["idx_customer_ves_agent_type", "idx_messages_to_ve_id", "idx_ve_category", "idx_ve_featured", "idx_ve_tags"]);
    expect(idx.find((i) => i.indexname === "idx_ve_featured")?.indexdef).toMatch(/WHERE \(featured = true\)/);
    expect(idx.find((i) => i.indexname === "idx_ve_tags")?.indexdef).toMatch(/USING gin/);
  });

  it("has today's RLS state and policies (PUBLIC, auth.uid() per row, old names), and set_customer_context callable by anyone", async () => {
    const { rows: rls } = await c.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
      "select relname, relrowsecurity, relforcerowsecurity from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r' order by relname",
    );
    expect(rls.filter((r) => r.relrowsecurity).map((r) => r.relname)).toEqual(["agent_memory", "api_keys", "customer_ves", "messages", "tasks", "token_usage"]);
    expect(rls.some((r) => r.relforcerowsecurity)).toBe(false);
    const { rows: pols } = await c.query<{ tablename: string; policyname: string; roles: string[]; qual: string | null }>(
      "select tablename, policyname, roles::text[] as roles, coalesce(qual, with_check) as qual from pg_policies where schemaname = 'public' order by tablename, policyname",
    );
    expect(pols.every((p) => p.roles.length === 1 && p.roles[0] === "public")).toBe(true);
    expect(pols.map((p) => p.policyname)).toContain("Users can view their own tasks");
    expect(pols.map((p) => p.policyname)).toContain("messages_insert");
    expect(pols.find((p) => p.policyname === "customer_ves_select")?.qual).toBe("(auth.uid() = customer_id)");
    expect(pols.find((p) => p.tablename === "agent_memory")?.qual).toMatch(/app\.current_customer_id/);
    const { rows: fn } = await c.query(
      "select prosecdef, proconfig, has_function_privilege('anon', oid, 'execute') as anon from pg_proc where oid = 'public.set_customer_context(uuid)'::regprocedure",
    );
    expect(fn[0]).toEqual({ prosecdef: true, proconfig: null, anon: true });
    const { rows: grants } = await c.query("select has_table_privilege('anon', 'public.customers', 'update') as u, has_column_privilege('authenticated', 'public.api_keys', 'key_hash', 'select') as k");
    expect(grants[0]).toEqual({ u: true, k: true });
  });

  it("holds the rows a take-over must not silently accept: a cross-tenant task, a dangling link, replies", async () => {
    const { rows: task } = await c.query("select t.customer_id, t.assigned_to_ve, v.customer_id as agent_owner from public.tasks t join public.customer_ves v on v.id = t.assigned_to_ve where t.id = $1", [FIXTURE_ANOMALIES.crossTenantTask.id]);
    expect(task[0]).toEqual({ customer_id: fixtureId.customer(2), assigned_to_ve: fixtureId.customerVe(1, 1), agent_owner: fixtureId.customer(1) });
    const { rows: cross } = await c.query("select count(*)::int as n from public.tasks t join public.customer_ves v on v.id = t.assigned_to_ve where v.customer_id <> t.customer_id");
    expect(cross[0].n).toBe(1);
    const { rows: dangling } = await c.query("select count(*)::int as n from public.ve_connections x where not exists (select 1 from public.customer_ves v where v.id = x.to_ve_id)");
    expect(dangling[0].n).toBe(1);
    const { rows: replies } = await c.query("select count(*)::int as n from public.messages m join public.messages p on p.id = m.replied_to_id and p.customer_id = m.customer_id");
    expect(replies[0].n).toBeGreaterThanOrEqual(6);
    const { rows: sub } = await c.query("select count(*)::int as n from public.tasks where parent_task_id is not null");
    expect(sub[0].n).toBeGreaterThan(0);
  });

  it("loads without the optional tables, and scales up with rowsPerCustomer", async () => {
    const k = await core.client();
    await loadScaledProductionState(k, { optionalTables: false, customers: 5, rowsPerCustomer: 40 });
    const { rows } = await k.query("select (select count(*)::int from public.tasks) as tasks, (select count(*)::int from public.customers) as customers, to_regclass('public.api_keys') as keys, to_regprocedure('public.set_customer_context(uuid)') as fn");
    expect(rows[0]).toEqual({ tasks: 200, customers: 5, keys: null, fn: null });
    await expect(loadScaledProductionState(k, { optionalTables: false, customers: 2, rowsPerCustomer: 10 })).rejects.toThrow(/customers must be an integer >= 3/);
  });

  it("rolls back completely when loading fails (here: the tables already exist)", async () => {
    await expect(loadProductionState(c, { optionalTables: false })).rejects.toThrow(/already exists/);
    const { rows } = await c.query("select count(*)::int as n from public.customers");
    expect(rows[0].n).toBe(3);
  });
});
