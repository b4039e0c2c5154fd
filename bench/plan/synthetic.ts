/**
 * The benchmark's synthetic schema: a shared `customers` table and N tenant tables
 * `t_0001..t_NNNN`, each shaped like the platform's real tenant tables (RLS enabled
 * and forced, one policy per command TO authenticated keyed on `(select auth.uid())`,
 * the foreign-key index plus one more, grants for the API and backend roles).
 *
 * The model is built with the same factories `schema/app` uses, so `defineSchema`
 * validates it exactly as it validates the product's schema. The DDL that creates it
 * is generated here from the model data rather than by the engine, so the database
 * the tools diff does not depend on the code under test.
 */
import { defineSchema, foreignKey, grant, index, policy, role, sql, table, text, timestamptz, uuid } from "../../schema/model";
import type { GrantDecl, PolicyBuilder, SchemaModel, TableDecl } from "../../schema/model";

/** `t_0001`: zero-padded so names sort in creation order and never prefix one another. */
export function tenantTableName(i: number): string {
  return `t_${String(i).padStart(4, "0")}`;
}

const OWN = sql`customer_id = (select auth.uid())`;

function tenantPolicies(name: string): PolicyBuilder[] {
  const base = (command: "select" | "insert" | "update" | "delete"): PolicyBuilder => policy(`${name}_${command}`).for(command).to("authenticated");
  return [base("select").using(OWN), base("insert").withCheck(OWN), base("update").using(OWN).withCheck(OWN), base("delete").using(OWN)];
}

const apiGrant: GrantDecl = grant("authenticated").privileges("select", "insert", "update", "delete");
const backendGrant: GrantDecl = grant("service_role").privileges("select", "insert", "update", "delete");

function tenantTable(i: number): TableDecl {
  const name = tenantTableName(i);
  return table(`public.${name}`, {
    tenancy: { column: "customer_id" },
    columns: {
      id: uuid().primaryKey().defaultRandom(),
      customer_id: uuid().notNull(),
      title: text().notNull(),
      body: text(),
      created_at: timestamptz().notNull().defaultNow(),
    },
    foreignKeys: [foreignKey(`${name}_customer_id_fkey`).columns("customer_id").references("public.customers", "id").onDelete("cascade")],
    indexes: [index(`idx_${name}_customer_id`).on("customer_id"), index(`idx_${name}_customer_id_created_at`).on("customer_id", "created_at")],
    rls: { enabled: true, forced: true },
    policies: tenantPolicies(name),
    grants: [apiGrant, backendGrant],
  });
}

const customers: TableDecl = table("public.customers", {
  tenancy: { column: "id" },
  columns: {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
  },
  rls: { enabled: true, forced: true },
  policies: [policy("customers_select").for("select").to("authenticated").using(sql`id = (select auth.uid())`)],
  grants: [grant("authenticated").select(), backendGrant],
});

/** The schemas the synthetic model manages (known before the model is built, so the catalog read can start first). */
export const SYNTHETIC_SCHEMAS: readonly string[] = ["public"];

/** The declared schema with `n` tenant tables (validated by defineSchema; throws on a bad declaration). */
export function syntheticModel(n: number): SchemaModel {
  const tables: TableDecl[] = [customers];
  for (let i = 1; i <= n; i++) tables.push(tenantTable(i));
  return defineSchema({
    schemas: [...SYNTHETIC_SCHEMAS],
    roles: [
      role("anon", { origin: "platform", purpose: "API requests without a signed-in user." }),
      role("authenticated", { origin: "platform", purpose: "A signed-in customer; RLS admits it to its own rows." }),
      role("service_role", { origin: "platform", bypassRls: true, purpose: "The backend, acting for every customer." }),
    ],
    tables,
  });
}

// --- DDL, generated from the model data (identifiers come from the generator above, never from input) ---

function createTable(t: TableDecl): string[] {
  const q = `${t.schema}.${t.name}`;
  const cols = t.columns.map((c) => `${c.name} ${c.type}${c.notNull ? " not null" : ""}${c.default ? ` default ${c.default.sql}` : ""}`);
  const out = [`create table ${q} (${[...cols, `constraint ${t.primaryKey.name} primary key (${t.primaryKey.columns.join(", ")})`].join(", ")});`];
  for (const fk of t.foreignKeys) {
    const r = fk.references;
    out.push(`alter table ${q} add constraint ${fk.name} foreign key (${fk.columns.join(", ")}) references ${r.schema}.${r.table} (${r.columns.join(", ")}) on delete ${fk.onDelete};`);
  }
  for (const ix of t.indexes) out.push(`create index ${ix.name} on ${q} using ${ix.method} (${ix.columns.join(", ")});`);
  if (t.rls.enabled) out.push(`alter table ${q} enable row level security;`);
  if (t.rls.forced) out.push(`alter table ${q} force row level security;`);
  for (const p of t.policies) {
    const using = p.using ? ` using (${p.using.sql})` : "";
    const check = p.withCheck ? ` with check (${p.withCheck.sql})` : "";
    out.push(`create policy ${p.name} on ${q} as ${p.permissive ? "permissive" : "restrictive"} for ${p.command} to ${p.roles.join(", ")}${using}${check};`);
  }
  for (const g of t.grants) out.push(`grant ${g.privileges.join(", ")}${g.columns ? ` (${g.columns.join(", ")})` : ""} on ${q} to ${g.role};`);
  return out;
}

/**
 * The model as SQL statements, in dependency order (the model lists `customers` first).
 * Expects the platform roles and `auth.uid()` to exist (preparePlatform).
 */
export function schemaSql(model: SchemaModel): string[] {
  return model.tables.flatMap(createTable);
}
