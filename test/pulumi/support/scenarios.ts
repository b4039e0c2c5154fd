/**
 * The dynamic providers' methods, called the way the provider host calls them
 * (configure, then check/diff/create/read/update/delete with plain inputs and
 * outputs), against a real PostgreSQL database. Shared by the test of the providers
 * as imported and the test of the providers serialized and loaded back as text.
 */
import type * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customers, securityAuditLog, auditLogAppendOnly, platformSchema, virtualEmployees } from "../../../schema/app";
import type { TableDecl } from "../../../schema/model/types";
import { functionSlice, tableSlice } from "../../../schema/pulumi/slices";
import { createTestDatabase, pgServers, type PgServer, type TestDatabase } from "../../support/db";

export interface Providers {
  readonly table: pulumi.dynamic.ResourceProvider;
  readonly function: pulumi.dynamic.ResourceProvider;
  readonly platform: pulumi.dynamic.ResourceProvider;
  readonly retired: pulumi.dynamic.ResourceProvider;
}

type Props = Record<string, unknown>;

/** What the provider host passes to `configure`: the stack's config, keys namespaced by project. */
export function configureRequest(db: TestDatabase): { config: { get(k: string): string | undefined; require(k: string): string } } {
  const u = new URL(db.url);
  const raw: Record<string, string> = {
    "ve-infra:database": JSON.stringify({ host: u.hostname, port: Number(u.port || 5432), database: db.name, user: decodeURIComponent(u.username), sslmode: "disable", superuser: true }),
    // Servers on trust authentication ignore it; the provider still insists one is configured.
    "ve-infra:databasePassword": decodeURIComponent(u.password) || "unused-by-trust-auth",
  };
  const get = (k: string): string | undefined => raw[k.includes(":") ? k : `ve-infra:${k}`];
  return { config: { get, require: (k) => get(k) ?? (() => { throw new Error(`missing ${k}`); })() } };
}

export const tableInputs = (t: TableDecl): Props => {
  const s = tableSlice(platformSchema, t);
  return { schema: t.schema, name: t.name, platform: "postgres", declaration: s.declaration, roles: s.roles };
};
const functionInputs = (): Props => {
  const s = functionSlice(platformSchema, auditLogAppendOnly);
  return { schema: auditLogAppendOnly.schema, name: auditLogAppendOnly.name, platform: "postgres", declaration: s.declaration, roles: s.roles };
};

type Method = "configure" | "check" | "diff" | "create" | "read" | "update" | "delete";
/* eslint-disable @typescript-eslint/no-explicit-any */
type Bound = { [M in Method]-?: (...args: any[]) => Promise<any> };
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Every method the host may call, bound to its provider as the host calls them (`provider.create(...)`). */
function bound(provider: pulumi.dynamic.ResourceProvider): Bound {
  const out: Partial<Bound> = {};
  for (const m of ["configure", "check", "diff", "create", "read", "update", "delete"] as const) {
    const f = provider[m] as ((...a: unknown[]) => Promise<unknown>) | undefined;
    out[m] = async (...a: unknown[]) => {
      if (!f) throw new Error(`provider has no ${m}`);
      return f.apply(provider, a);
    };
  }
  return out as Bound;
}

async function withConsent<T>(keys: string, fn: () => Promise<T>): Promise<T> {
  process.env.VE_ALLOW_DATA_LOSS = keys;
  try {
    return await fn();
  } finally {
    delete process.env.VE_ALLOW_DATA_LOSS;
  }
}

/** Defines the scenario suite for every test server; `load` returns configured-later providers. */
export function providerScenarios(label: string, load: () => Promise<Providers>): void {
  for (const server of pgServers()) scenariosOn(label, server, load);
}

function scenariosOn(label: string, server: PgServer, load: () => Promise<Providers>): void {
  describe(`${label} on ${server.name}`, () => {
    let db: TestDatabase;
    let p: { [K in keyof Providers]: Bound };
    const q = async (sql: string): Promise<Props[]> => (await (await db.client()).query(sql)).rows as Props[];

    beforeAll(async () => {
      db = await createTestDatabase(server, "pulumi");
      const loaded = await load();
      p = { table: bound(loaded.table), function: bound(loaded.function), platform: bound(loaded.platform), retired: bound(loaded.retired) };
      for (const provider of Object.values(p)) await provider.configure(configureRequest(db));
    });
    afterAll(async () => db?.drop());

    it("ve:Platform: creates the platform on an empty database, reads it back without a problem", async () => {
      const created = await p.platform.create({ platform: "postgres" });
      expect(created.id).toBe("platform:postgres");
      expect(await q("select 1 from pg_roles where rolname in ('anon','authenticated','service_role')")).toHaveLength(3);
      const read = await p.platform.read(created.id, created.outs);
      expect(read.props).toEqual({ platform: "postgres" });
      expect((await p.platform.diff(created.id, created.outs, { platform: "postgres" })).changes).toBe(false);
      expect((await p.platform.diff(created.id, created.outs, { platform: "supabase" })).changes).toBe(true);
    });

    it("ve:Function: creates on empty, adopts an existing one, diffs, updates, finds drift, retires on delete", async () => {
      const inputs = functionInputs();
      const created = await p.function.create(inputs);
      expect(created.outs).toMatchObject({ pendingSteps: 0, drift: [] });
      expect(created.outs.appliedSteps).toBeGreaterThan(0);
      const adopted = await p.function.create(inputs);
      expect(adopted.outs).toMatchObject({ pendingSteps: 0, appliedSteps: 0 });

      const diff = p.function.diff;
      expect(await diff(created.id, created.outs, inputs)).toMatchObject({ changes: false, replaces: [] });
      const decl = inputs.declaration as typeof auditLogAppendOnly;
      const bodyOnly = { ...inputs, declaration: { ...decl, body: `${decl.body}\n-- reviewed` } };
      expect(await diff(created.id, created.outs, bodyOnly)).toMatchObject({ changes: true, replaces: [] });
      expect((await diff(created.id, created.outs, { ...inputs, declaration: { ...decl, args: [{ name: "x", type: "integer" }] } })).replaces).toEqual(["declaration"]);

      const updated = await p.function.update(created.id, created.outs, bodyOnly);
      expect(updated.outs).toMatchObject({ pendingSteps: 0 });
      expect((await q(`select prosrc from pg_proc where proname = '${auditLogAppendOnly.name}'`))[0].prosrc).toContain("-- reviewed");

      // Someone widens EXECUTE by hand: refresh finds it, the next diff wants an update.
      await q(`grant execute on function ${auditLogAppendOnly.schema}.${auditLogAppendOnly.name}() to anon`);
      const read = await p.function.read(created.id, updated.outs);
      expect(read.id).toBe(created.id);
      expect((read.props as Props).drift).toEqual(expect.arrayContaining([expect.objectContaining({ security: true })]));
      expect(read.inputs).toEqual(bodyOnly);
      expect((await diff(created.id, read.props, bodyOnly)).changes).toBe(true);
      const fixed = await p.function.update(created.id, read.props, inputs);
      expect(fixed.outs).toMatchObject({ pendingSteps: 0, drift: [] });

      await p.function.delete(created.id, fixed.outs);
      expect(await q(`select 1 from pg_proc where proname = '${auditLogAppendOnly.name}'`)).toHaveLength(0);
      await p.function.create(inputs);
    });

    it("ve:Table: creates on empty with RLS forced, policies and grants; diff without change is empty", async () => {
      const inputs = tableInputs(customers);
      const created = await p.table.create(inputs);
      expect(created.id).toBe("public.customers");
      expect(created.outs).toMatchObject({ pendingSteps: 0, drift: [], blocked: [] });
      expect(await q("select relrowsecurity, relforcerowsecurity from pg_class where oid = 'public.customers'::regclass")).toEqual([{ relrowsecurity: true, relforcerowsecurity: true }]);
      expect((await q("select policyname from pg_policies where tablename = 'customers' order by 1")).map((r) => r.policyname)).toEqual(["customers_select", "customers_update"]);
      expect(await p.table.diff(created.id, created.outs, inputs)).toMatchObject({ changes: false, replaces: [] });
    });

    it("ve:Table: adopts a table that already exists and converges it", async () => {
      // As production has it: part of the columns, no RLS, no policy, a row.
      await q(`create table public.virtual_employees (id uuid primary key default gen_random_uuid(), name varchar(255) not null,
        role varchar(255) not null, department varchar(255) not null, seniority_level varchar(50), status varchar(50) default 'stable',
        source varchar(100), category varchar(100), featured boolean default false, tags text[], pricing_monthly numeric(10,2) not null)`);
      await q("insert into public.virtual_employees (name, role, department, pricing_monthly) values ('Ada', 'analyst', 'finance', 99)");
      const created = await p.table.create(tableInputs(virtualEmployees));
      expect(created.outs).toMatchObject({ pendingSteps: 0 });
      expect(created.outs.appliedSteps).toBeGreaterThan(0);
      const columns = (await q("select column_name from information_schema.columns where table_name = 'virtual_employees'")).map((r) => r.column_name);
      expect(columns).toEqual(expect.arrayContaining(virtualEmployees.columns.map((c) => c.name)));
      expect(await q("select name from public.virtual_employees")).toEqual([{ name: "Ada" }]);
      expect(await q("select relrowsecurity from pg_class where oid = 'public.virtual_employees'::regclass")).toEqual([{ relrowsecurity: true }]);
    });

    it("ve:Table: diff reports in-place changes, and a replacement only for a new identity; update applies them", async () => {
      const inputs = tableInputs(customers);
      const outs = (await p.table.create(inputs)).outs as Props;
      const decl = inputs.declaration as TableDecl;
      const withIndex = { ...inputs, declaration: { ...decl, indexes: [...decl.indexes, { name: "customers_company_name_idx", columns: ["company_name"], method: "btree", unique: false }] } };
      const diff = p.table.diff;
      expect(await diff("public.customers", outs, withIndex)).toMatchObject({ changes: true, replaces: [] });
      expect((await diff("public.customers", outs, { ...inputs, name: "clients", declaration: { ...decl, name: "clients" } })).replaces).toEqual(["name"]);

      const updated = await p.table.update("public.customers", outs, withIndex);
      expect(updated.outs).toMatchObject({ pendingSteps: 0 });
      expect(await q("select 1 from pg_indexes where indexname = 'customers_company_name_idx'")).toHaveLength(1);
      const back = await p.table.update("public.customers", updated.outs, inputs);
      expect(back.outs).toMatchObject({ pendingSteps: 0 });
      expect(await q("select 1 from pg_indexes where indexname = 'customers_company_name_idx'")).toHaveLength(0);
    });

    it("ve:Table: read after a manual change reports the drift, as security; the next update converges it", async () => {
      const inputs = tableInputs(customers);
      const outs = (await p.table.create(inputs)).outs as Props;
      await q("alter table public.customers no force row level security");
      await q("grant select on public.customers to anon");
      const read = await p.table.read("public.customers", outs);
      expect(read.id).toBe("public.customers");
      const drift = (read.props as Props).drift as { security: boolean }[];
      expect(drift.length).toBeGreaterThan(0);
      expect(drift.some((d) => d.security)).toBe(true);
      expect(read.inputs).toEqual(inputs);
      expect((await p.table.diff("public.customers", read.props, inputs)).changes).toBe(true);
      const fixed = await p.table.update("public.customers", read.props, inputs);
      expect(fixed.outs).toMatchObject({ pendingSteps: 0, drift: [] });
      expect(await q("select relforcerowsecurity from pg_class where oid = 'public.customers'::regclass")).toEqual([{ relforcerowsecurity: true }]);
      expect(await q("select 1 from information_schema.role_table_grants where table_name = 'customers' and grantee = 'anon'")).toHaveLength(0);
    });

    it("ve:Table: keeps an undeclared column holding values, drops it only with VE_ALLOW_DATA_LOSS", async () => {
      const inputs = tableInputs(customers);
      const outs = (await p.table.create(inputs)).outs as Props;
      await q("alter table public.customers add column legacy_note text");
      await q("insert into public.customers (email, company_name, legacy_note) values ('a@example.com', 'A', 'keep me')");
      const kept = await p.table.update("public.customers", outs, inputs);
      expect(kept.outs).toMatchObject({ pendingSteps: 0 });
      expect(await q("select legacy_note from public.customers")).toEqual([{ legacy_note: "keep me" }]);
      const dropped = await withConsent("public.customers.legacy_note", () => p.table.update("public.customers", kept.outs, inputs));
      expect(dropped.outs).toMatchObject({ pendingSteps: 0 });
      expect(await q("select 1 from information_schema.columns where table_name = 'customers' and column_name = 'legacy_note'")).toHaveLength(0);
      await q("delete from public.customers");
    });

    it("ve:Table: delete refuses a table that holds rows, drops it with consent, drops an empty one", async () => {
      const inputs = tableInputs(virtualEmployees);
      // Still holds the row the adoption test kept.
      const outs = (await p.table.create(inputs)).outs as Props;
      expect(await q("select 1 from public.virtual_employees")).toHaveLength(1);
      const del = p.table.delete;
      await expect(del("public.virtual_employees", outs)).rejects.toThrow(/refusing to drop public\.virtual_employees: it holds rows.*VE_ALLOW_DATA_LOSS=public\.virtual_employees/s);
      expect(await q("select 1 from pg_class where oid = to_regclass('public.virtual_employees')")).toHaveLength(1);
      await withConsent("public.virtual_employees", () => del("public.virtual_employees", outs));
      expect(await q("select to_regclass('public.virtual_employees') as t")).toEqual([{ t: null }]);

      const audit = await p.table.create(tableInputs(securityAuditLog));
      await del("public.security_audit_log", audit.outs);
      expect(await q("select to_regclass('public.security_audit_log') as t")).toEqual([{ t: null }]);
      // A table already gone is not an error (delete after a manual drop).
      await del("public.security_audit_log", audit.outs);
    });

    it("ve:Table: read of a table dropped by hand removes it from state", async () => {
      const outs = (await p.table.create(tableInputs(securityAuditLog))).outs as Props;
      await q("drop table public.security_audit_log");
      expect((await p.table.read("public.security_audit_log", outs)).id).toBe("");
    });

    it("ve:Retired: drops the retired function, and refresh reports it coming back", async () => {
      const create = "create function public.set_customer_context(p uuid) returns void language sql security definer as $$ select set_config('app.current_customer_id', p::text, false) $$";
      await q(create);
      const inputs = { platform: "postgres", schemas: ["public"], retired: JSON.parse(JSON.stringify(platformSchema.retired)) };
      const created = await p.retired.create(inputs);
      expect(created.outs).toMatchObject({ pendingSteps: 0 });
      expect(await q("select 1 from pg_proc where proname = 'set_customer_context'")).toHaveLength(0);
      await q(create);
      const read = await p.retired.read(created.id, created.outs);
      expect((read.props as Props).pendingSteps).toBe(1);
      expect((await p.retired.diff(created.id, read.props, inputs)).changes).toBe(true);
      await p.retired.update(created.id, read.props, inputs);
      expect(await q("select 1 from pg_proc where proname = 'set_customer_context'")).toHaveLength(0);
    });
  });
}
