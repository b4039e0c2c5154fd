/**
 * Helpers for the engine tests: small models written as plain SchemaModel literals,
 * a platform prepared on plain PostgreSQL, and plan-then-apply round trips.
 */
import type { Client } from "pg";
import type { ColumnDecl, PolicyDecl, RoleDecl, SchemaModel, TableDecl } from "../../schema/model/types";
import { apply, plan, type Plan, type PlanOptions } from "../../schema/engine";
import { preparePlatform } from "../../schema/platform";
import { afterAll } from "vitest";
import { createTestDatabase, type PgServer, type TestDatabase } from "../support/db";

export const ROLES: readonly RoleDecl[] = [
  { name: "anon", origin: "platform", login: false, bypassRls: false, purpose: "API requests without a user" },
  { name: "authenticated", origin: "platform", login: false, bypassRls: false, purpose: "a signed-in customer" },
  { name: "service_role", origin: "platform", login: false, bypassRls: true, purpose: "the backend; sees every tenant" },
];

export const col = (name: string, type: string, notNull = false, def?: string): ColumnDecl => ({ name, type, notNull, ...(def ? { default: { sql: def } } : {}) });

export function ownRows(table: string, command: PolicyDecl["command"]): PolicyDecl {
  const pred = { sql: "(select auth.uid()) = customer_id" };
  return {
    name: `${table}_${command}`,
    command,
    roles: ["authenticated"],
    permissive: true,
    ...(command === "insert" ? { withCheck: pred } : command === "update" ? { using: pred, withCheck: pred } : { using: pred }),
  };
}

/** A tenant table: id, customer_id, and the given columns; RLS forced, own-rows policies. */
export function tenantTable(name: string, extra: Partial<TableDecl> & { columns?: readonly ColumnDecl[] } = {}): TableDecl {
  const { columns = [], ...rest } = extra;
  return {
    schema: "public",
    name,
    tenancy: { column: "customer_id" },
    columns: [col("id", "uuid", true, "gen_random_uuid()"), col("customer_id", "uuid", true), ...columns],
    primaryKey: { name: `${name}_pkey`, columns: ["id"] },
    uniques: [],
    foreignKeys: [],
    checks: [],
    indexes: [{ name: `${name}_customer_id_idx`, columns: ["customer_id"], method: "btree", unique: false }],
    rls: { enabled: true, forced: true },
    policies: [ownRows(name, "select"), ownRows(name, "insert")],
    grants: [{ role: "authenticated", privileges: ["select", "insert"] }],
    triggers: [],
    ...rest,
  };
}

export function model(tables: readonly TableDecl[], extra: Partial<SchemaModel> = {}): SchemaModel {
  return { schemas: ["public"], extensions: [], roles: ROLES, functions: [], tables, retired: [], ...extra };
}

export async function prepare(db: TestDatabase): Promise<void> {
  await preparePlatform(db.config, "postgres");
}

/** Fresh databases for one describe block, prepared like Supabase and dropped after it. */
export function preparedDatabases(server: PgServer, prefix = "eng"): () => Promise<TestDatabase> {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });
  return async () => {
    const db = await createTestDatabase(server, prefix);
    dbs.push(db);
    await prepare(db);
    return db;
  };
}

export const PG: Pick<PlanOptions, "platform"> = { platform: "postgres" };

/** Plans, applies, and returns the plan that was applied. */
export async function converge(db: TestDatabase, m: SchemaModel, opts: Partial<PlanOptions> = {}): Promise<Plan> {
  const p = await plan(db.config, m, { ...PG, ...opts });
  await apply(db.config, p, opts.allowDataLoss ? { allowDataLoss: opts.allowDataLoss } : {});
  return p;
}

export async function exec(db: TestDatabase, sql: string): Promise<void> {
  const c: Client = await db.client();
  await c.query(sql);
}

/** Step ids and SQL, for readable failure messages. */
export function stepsOf(p: Plan): string[] {
  return p.steps.map((s) => `${s.id}: ${s.sql}`);
}
