/** A small valid model that each validation test breaks in exactly one way. */
import {
  ModelError, defineSchema, foreignKey, func, grant, index, policy, role, sql, table, text, timestamptz, trigger, unique, uuid,
  type SchemaConfig, type TableConfig, type TableDecl,
} from "../../schema/model";

export const roles = [
  role("anon", { origin: "platform", purpose: "visitors" }),
  role("authenticated", { origin: "platform", purpose: "signed-in customers" }),
  role("service_role", { origin: "platform", bypassRls: true, purpose: "backend; acts for every tenant" }),
];

const own = sql`customer_id = (select auth.uid())`;

export const touch = func("public.refuse_change", {
  returns: "trigger",
  language: "plpgsql",
  volatility: "volatile",
  searchPath: "",
  body: "begin raise exception 'no'; end;",
});

export function customersConfig(): TableConfig {
  return {
    tenancy: { column: "id" },
    columns: { id: uuid().primaryKey().defaultRandom(), name: text().notNull() },
    policies: [policy("customers_select").for("select").to("authenticated").using(sql`id = (select auth.uid())`)],
    grants: [grant("authenticated").select()],
  };
}

export function agentsConfig(): TableConfig {
  return {
    tenancy: { column: "customer_id" },
    columns: { id: uuid().primaryKey().defaultRandom(), customer_id: uuid().notNull(), label: text() },
    uniques: [unique("agents_customer_id_id_key").on("customer_id", "id")],
    foreignKeys: [foreignKey("agents_customer_id_fkey").columns("customer_id").references("public.customers", "id").onDelete("cascade")],
    indexes: [index("idx_agents_customer_id").on("customer_id")],
    policies: [policy("agents_select").for("select").to("authenticated").using(own)],
    grants: [grant("authenticated").select()],
  };
}

export function jobsConfig(): TableConfig {
  return {
    tenancy: { column: "customer_id" },
    columns: {
      id: uuid().primaryKey().defaultRandom(),
      customer_id: uuid().notNull(),
      agent_id: uuid(),
      title: text().notNull(),
      created_at: timestamptz().defaultNow(),
    },
    foreignKeys: [
      foreignKey("jobs_agent_tenant_fkey").columns("customer_id", "agent_id").references("public.agents", "customer_id", "id").onDelete("set null", ["agent_id"]),
    ],
    indexes: [index("idx_jobs_customer_id_agent_id").on("customer_id", "agent_id")],
    policies: [
      policy("jobs_select").for("select").to("authenticated").using(own),
      policy("jobs_update").for("update").to("authenticated").using(own).withCheck(own),
    ],
    grants: [grant("authenticated").select(), grant("authenticated").update("title"), grant("service_role").privileges("select", "insert", "update", "delete")],
    triggers: [trigger("jobs_refuse_delete").before("delete").execute("public.refuse_change")],
  };
}

type TableName = "customers" | "agents" | "jobs";

/** The valid model's config, with some tables' configs replaced and any top-level field overridden. */
export function modelConfig(tables: Partial<Record<TableName, TableConfig>> = {}, rest: Partial<SchemaConfig> = {}): SchemaConfig {
  const decls: TableDecl[] = [
    table("public.customers", tables.customers ?? customersConfig()),
    table("public.agents", tables.agents ?? agentsConfig()),
    table("public.jobs", tables.jobs ?? jobsConfig()),
  ];
  return { schemas: ["public"], roles, functions: [touch], tables: decls, ...rest };
}

/** The problems `defineSchema` reports for a config, or [] when it is valid. */
export function problemsOf(config: SchemaConfig): readonly string[] {
  try {
    defineSchema(config);
    return [];
  } catch (e) {
    if (e instanceof ModelError) return e.problems;
    throw e;
  }
}
