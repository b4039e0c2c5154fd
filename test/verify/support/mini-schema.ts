/**
 * A small multi-tenant schema shaped like the platform's (customers, a public catalog,
 * hired agents, tasks, threaded messages, API keys, an append-only audit log, agent
 * memory), declared with the model factories, plus a plain SQL rendering of it. The
 * verifier's own tests deploy it and then weaken it on purpose, so they do not depend
 * on the engine or on the platform's declarations.
 */
import {
  check, defineSchema, foreignKey, grant, index, numeric, policy, role, sql, table, text, timestamptz, unique, uuid, varchar,
  type PolicyBuilder, type SchemaModel, type TableDecl, type FunctionDecl,
} from "../../../schema/model";

const own = (col: string) => ({ sql: `${col} = (select auth.uid())` });

function ownPolicies(name: string, col: string, commands: readonly ("select" | "insert" | "update" | "delete")[]): PolicyBuilder[] {
  return commands.map((c) => {
    const p = policy(`${name}_${c}`).for(c).to("authenticated");
    if (c === "insert") return p.withCheck(own(col));
    if (c === "update") return p.using(own(col)).withCheck(own(col));
    return p.using(own(col));
  });
}

const tenantFk = (name: string, col: string, target: string, setNull: boolean) =>
  foreignKey(name).columns("customer_id", col).references(target, "customer_id", "id").onDelete(setNull ? "set null" : "cascade", setNull ? [col] : undefined);
const customerFk = (t: string) => foreignKey(`${t}_customer_id_fkey`).columns("customer_id").references("public.customers", "id").onDelete("cascade");

const customers = table("public.customers", {
  tenancy: { column: "id" },
  columns: {
    id: uuid().primaryKey().defaultRandom(),
    email: varchar(255).notNull().unique(),
    company_name: varchar(255).notNull(),
    subscription_tier: varchar(50).default(sql`'free'`),
  },
  policies: ownPolicies("customers", "id", ["select", "update"]),
  grants: [grant("authenticated").select(), grant("authenticated").update("company_name")],
});

const virtualEmployees = table("public.virtual_employees", {
  columns: {
    id: uuid().primaryKey().defaultRandom(),
    name: varchar(255).notNull(),
    status: varchar(50).default(sql`'stable'`),
    pricing_monthly: numeric(10, 2).notNull(),
  },
  checks: [check("virtual_employees_status_check", sql`status in ('stable', 'beta', 'experimental')`)],
  rls: { enabled: true, forced: false },
  policies: [policy("virtual_employees_select").for("select").to("anon", "authenticated").using(sql`status in ('stable', 'beta')`)],
  grants: [grant("anon").select(), grant("authenticated").select()],
});

const customerVes = table("public.customer_ves", {
  tenancy: { column: "customer_id" },
  columns: {
    id: uuid().primaryKey().defaultRandom(),
    customer_id: uuid().notNull(),
    marketplace_agent_id: uuid().notNull(),
    persona_name: varchar(255).notNull(),
    status: varchar(50).default(sql`'active'`),
  },
  uniques: [unique("customer_ves_customer_id_id_key").on("customer_id", "id")],
  foreignKeys: [customerFk("customer_ves"), foreignKey("customer_ves_marketplace_agent_id_fkey").columns("marketplace_agent_id").references("public.virtual_employees", "id").onDelete("cascade")],
  indexes: [index("idx_customer_ves_marketplace_agent_id").on("marketplace_agent_id")],
  policies: ownPolicies("customer_ves", "customer_id", ["select", "insert", "update", "delete"]),
  grants: [
    grant("authenticated").select(), grant("authenticated").insert("customer_id", "marketplace_agent_id", "persona_name"),
    grant("authenticated").update("persona_name", "status"), grant("authenticated").delete(),
  ],
});

const tasks = table("public.tasks", {
  tenancy: { column: "customer_id" },
  columns: {
    id: uuid().primaryKey().defaultRandom(),
    customer_id: uuid().notNull(),
    title: varchar(255).notNull(),
    status: varchar(50).notNull().default(sql`'pending'`),
    assigned_to_ve: uuid(),
    parent_task_id: uuid(),
  },
  uniques: [unique("tasks_customer_id_id_key").on("customer_id", "id")],
  foreignKeys: [customerFk("tasks"), tenantFk("tasks_assigned_to_ve_fkey", "assigned_to_ve", "public.customer_ves", true), tenantFk("tasks_parent_task_id_fkey", "parent_task_id", "public.tasks", false)],
  checks: [check("tasks_status_check", sql`status in ('pending', 'in_progress', 'completed', 'failed')`)],
  indexes: [index("idx_tasks_customer_id_assigned_to_ve").on("customer_id", "assigned_to_ve"), index("idx_tasks_customer_id_parent_task_id").on("customer_id", "parent_task_id")],
  policies: ownPolicies("tasks", "customer_id", ["select", "insert", "update"]),
  grants: [
    grant("authenticated").select(), grant("authenticated").insert("customer_id", "title", "status", "assigned_to_ve", "parent_task_id"),
    grant("authenticated").update("title", "status", "assigned_to_ve", "parent_task_id"),
  ],
});

const messages = table("public.messages", {
  tenancy: { column: "customer_id" },
  columns: {
    id: uuid().primaryKey().defaultRandom(),
    customer_id: uuid().notNull(),
    from_type: varchar(50).notNull(),
    content: text().notNull(),
    replied_to_id: uuid(),
  },
  uniques: [unique("messages_customer_id_id_key").on("customer_id", "id")],
  foreignKeys: [customerFk("messages"), tenantFk("messages_replied_to_id_fkey", "replied_to_id", "public.messages", true)],
  checks: [check("messages_from_type_check", sql`from_type in ('customer', 've', 'system')`)],
  indexes: [index("idx_messages_customer_id_replied_to_id").on("customer_id", "replied_to_id")],
  policies: ownPolicies("messages", "customer_id", ["select", "insert"]),
  grants: [grant("authenticated").select(), grant("authenticated").insert("customer_id", "from_type", "content", "replied_to_id")],
});

const apiKeys = table("public.api_keys", {
  tenancy: { column: "customer_id" },
  columns: { id: uuid().primaryKey().defaultRandom(), customer_id: uuid().notNull(), name: text().notNull(), key_hash: text().notNull().unique() },
  foreignKeys: [customerFk("api_keys")],
  indexes: [index("idx_api_keys_customer_id").on("customer_id")],
  policies: ownPolicies("api_keys", "customer_id", ["select", "insert", "update", "delete"]),
  grants: [
    grant("authenticated").select("id", "customer_id", "name"), grant("authenticated").insert("customer_id", "name", "key_hash"),
    grant("authenticated").update("name"), grant("authenticated").delete(),
  ],
});

const auditLog = table("public.security_audit_log", {
  tenancy: { column: "customer_id" },
  columns: { id: uuid().primaryKey().defaultRandom(), customer_id: uuid().notNull(), path: text().notNull(), created_at: timestamptz().defaultNow() },
  indexes: [index("idx_security_audit_log_customer_id").on("customer_id")],
  policies: [policy("security_audit_log_select").for("select").to("authenticated").using(sql`false`)],
});

const agentMemory = table("public.agent_memory", {
  tenancy: { column: "customer_id" },
  columns: { id: uuid().primaryKey().defaultRandom(), customer_id: uuid().notNull(), content: text().notNull() },
  foreignKeys: [customerFk("agent_memory")],
  indexes: [index("idx_agent_memory_customer_id").on("customer_id")],
  policies: ownPolicies("agent_memory", "customer_id", ["select", "insert", "update", "delete"]),
  grants: [grant("authenticated").select(), grant("authenticated").insert("customer_id", "content"), grant("authenticated").update("content"), grant("authenticated").delete()],
});

export const miniModel: SchemaModel = defineSchema({
  schemas: ["public"],
  roles: [
    role("anon", { origin: "platform", purpose: "signed-out caller" }),
    role("authenticated", { origin: "platform", purpose: "signed-in customer" }),
    role("service_role", { origin: "platform", bypassRls: true, purpose: "backend" }),
  ],
  tables: [customers, virtualEmployees, customerVes, tasks, messages, apiKeys, auditLog, agentMemory],
});

const q = (name: string): string => `"${name}"`;
const ref = (t: { schema: string; name: string }): string => `${q(t.schema)}.${q(t.name)}`;
const cols = (c: readonly string[]): string => c.map(q).join(", ");

function tableSql(t: TableDecl): string[] {
  const parts = [
    ...t.columns.map((c) => `${q(c.name)} ${c.type}${c.notNull ? " not null" : ""}${c.default ? ` default ${c.default.sql}` : ""}`),
    `constraint ${q(t.primaryKey.name)} primary key (${cols(t.primaryKey.columns)})`,
    ...t.uniques.map((u) => `constraint ${q(u.name)} unique (${cols(u.columns)})`),
    ...t.checks.map((c) => `constraint ${q(c.name)} check (${c.expression.sql})`),
  ];
  return [`create table ${ref(t)} (\n  ${parts.join(",\n  ")}\n)`];
}

function tableExtrasSql(t: TableDecl): string[] {
  const out: string[] = [];
  for (const fk of t.foreignKeys) {
    const del = fk.onDeleteSetColumns ? `${fk.onDelete} (${cols(fk.onDeleteSetColumns)})` : fk.onDelete;
    out.push(`alter table ${ref(t)} add constraint ${q(fk.name)} foreign key (${cols(fk.columns)}) references ${ref({ schema: fk.references.schema, name: fk.references.table })} (${cols(fk.references.columns)}) on delete ${del}`);
  }
  for (const i of t.indexes) out.push(`create ${i.unique ? "unique " : ""}index ${q(i.name)} on ${ref(t)} using ${i.method} (${cols(i.columns)})${i.where ? ` where ${i.where.sql}` : ""}`);
  if (t.rls.enabled) out.push(`alter table ${ref(t)} enable row level security`);
  if (t.rls.forced) out.push(`alter table ${ref(t)} force row level security`);
  for (const p of t.policies) {
    out.push(`create policy ${q(p.name)} on ${ref(t)} as ${p.permissive ? "permissive" : "restrictive"} for ${p.command} to ${p.roles.join(", ")}` +
      `${p.using ? ` using (${p.using.sql})` : ""}${p.withCheck ? ` with check (${p.withCheck.sql})` : ""}`);
  }
  out.push(`revoke all on ${ref(t)} from public, anon, authenticated`);
  for (const g of t.grants) out.push(`grant ${g.privileges.join(", ")}${g.columns ? ` (${cols(g.columns)})` : ""} on ${ref(t)} to ${g.role}`);
  return out;
}

function functionSql(f: FunctionDecl): string[] {
  const sig = `${q(f.schema)}.${q(f.name)}(${f.args.map((a) => `${a.name} ${a.type}`).join(", ")})`;
  return [
    `create function ${sig} returns ${f.returns} language ${f.language} ${f.volatility} security ${f.securityDefiner ? "definer" : "invoker"} set search_path = '${f.searchPath}' as $body$${f.body}$body$`,
    `revoke execute on function ${sig} from public`,
    ...f.executableBy.map((r) => `grant execute on function ${sig} to ${r}`),
  ];
}

/** The model as SQL statements, for a database prepared with preparePlatform(db, "postgres"). */
export function renderMiniSchema(model: SchemaModel): string[] {
  return [...model.functions.flatMap(functionSql), ...model.tables.flatMap(tableSql), ...model.tables.flatMap(tableExtrasSql)];
}
