import { describe, expect, it } from "vitest";
import {
  ModelError, check, defineSchema, foreignKey, func, grant, index, policy, policyOn, role, sql, table, text, trigger, unique, uuid, column,
  type SchemaConfig, type TableConfig,
} from "../../schema/model";
import { agentsConfig, customersConfig, jobsConfig, modelConfig, problemsOf, roles, touch } from "./helpers";

const own = sql`customer_id = (select auth.uid())`;
const jobs = (patch: Partial<TableConfig>): SchemaConfig => modelConfig({ jobs: { ...jobsConfig(), ...patch } });
const agents = (patch: Partial<TableConfig>): SchemaConfig => modelConfig({ agents: { ...agentsConfig(), ...patch } });

describe("validateModel", () => {
  it("accepts the valid base model", () => {
    expect(problemsOf(modelConfig())).toEqual([]);
  });

  // [what is wrong, the config, what the message must say (declaration + fix)]
  const cases: [string, () => SchemaConfig, RegExp][] = [
    ["an upper-case column name", () => jobs({ columns: { ...jobsConfig().columns, Title: text() } }), /table public\.jobs: column name "Title" is not a plain lower-case SQL name; use lower-case letters/],
    ["a name over 63 bytes", () => jobs({ indexes: [...(jobsConfig().indexes ?? []), index(`idx_${"x".repeat(60)}`).on("title")] }), /index name "idx_x+" is 64 bytes; PostgreSQL would truncate it to 63, so shorten it/],
    ["a multi-byte name over 63 bytes", () => jobs({ columns: { ...jobsConfig().columns, ["é".repeat(32)]: text() } }), /column name "é+" is not a plain lower-case SQL name/],
    ["a quote in a table name", () => modelConfig({}, { tables: [...modelConfig().tables, table('public.x"; drop table jobs; --', customersConfig())] }), /table name "x\\"; drop table jobs; --" contains quotes, semicolons, comments or spaces/],
    ["a semicolon in a policy name", () => jobs({ policies: [policy("jobs_select;").for("select").to("authenticated").using(own), policy("jobs_update").for("update").to("authenticated").using(own)] }), /policy name "jobs_select;" contains quotes, semicolons/],
    ["an injection in a role name", () => modelConfig({}, { roles: [...roles, role("evil' or 1=1", { origin: "managed", purpose: "x" })] }), /role evil' or 1=1: name "evil' or 1=1" contains quotes/],
    ["an injection in a policy's role", () => jobs({ policies: [policy("jobs_select").for("select").to("authenticated; drop role x").using(own), policy("jobs_update").for("update").to("authenticated").using(own)] }), /policy jobs_select: role name "authenticated; drop role x" contains quotes, semicolons/],
    ["a reserved word as a column", () => jobs({ columns: { ...jobsConfig().columns, user: text() } }), /column name "user" is a reserved SQL key word/],
    ["a duplicate constraint name across tables", () => agents({ uniques: [unique("jobs_agent_tenant_fkey").on("customer_id", "id")] }), /name jobs_agent_tenant_fkey is already used by unique constraint jobs_agent_tenant_fkey on public\.agents in schema public .*; rename one/],
    ["an index named like another table's constraint", () => jobs({ indexes: [index("idx_jobs_customer_id_agent_id").on("customer_id", "agent_id"), index("agents_customer_id_id_key").on("title")] }), /index agents_customer_id_id_key on public\.jobs: name agents_customer_id_id_key is already used by unique constraint/],
    ["a duplicate index name on one table", () => jobs({ indexes: [index("idx_jobs_customer_id_agent_id").on("customer_id", "agent_id"), index("idx_jobs_customer_id_agent_id").on("title")] }), /index idx_jobs_customer_id_agent_id: the name is used twice on this table; rename one/],
    ["a duplicate policy name", () => jobs({ policies: [policy("jobs_select").for("select").to("authenticated").using(own), policy("jobs_select").for("update").to("authenticated").using(own)] }), /policy jobs_select is declared twice; rename one/],
    ["an index on an unknown column", () => jobs({ indexes: [...(jobsConfig().indexes ?? []), index("idx_jobs_nope").on("nope")] }), /index idx_jobs_nope names unknown column "nope"; declare the column or fix the name/],
    ["a primary key on an unknown column", () => jobs({ primaryKey: { name: "jobs_pkey", columns: ["jid"] }, columns: { ...jobsConfig().columns, id: uuid().notNull() } }), /primary key jobs_pkey names unknown column "jid"/],
    ["a table without a primary key", () => jobs({ columns: { ...jobsConfig().columns, id: uuid().notNull() } }), /primary key jobs_pkey has no columns; mark a column \.primaryKey\(\)/],
    ["a unique on an unknown column", () => agents({ uniques: [unique("agents_nope_key").on("nope")] }), /unique constraint agents_nope_key names unknown column "nope"/],
    ["a foreign key on an unknown column", () => jobs({ foreignKeys: [foreignKey("jobs_x_fkey").columns("customer_id", "agentid").references("public.agents", "customer_id", "id")] }), /foreign key jobs_x_fkey names unknown column "agentid"/],
    ["a grant on an unknown column", () => jobs({ grants: [grant("authenticated").select(), grant("authenticated").update("titel")] }), /grant to authenticated names unknown column "titel"/],
    ["a foreign key to a missing table", () => jobs({ foreignKeys: [foreignKey("jobs_agent_fkey").columns("agent_id").references("public.agentz", "id")] }), /foreign key jobs_agent_fkey references public\.agentz, which the model does not declare; declare the table or fix the name/],
    ["a foreign key to columns that are not a key", () => jobs({ foreignKeys: [foreignKey("jobs_agent_fkey").columns("customer_id").references("public.agents", "customer_id")], indexes: [index("idx_jobs_customer_id").on("customer_id")] }), /foreign key jobs_agent_fkey references \(customer_id\) of public\.agents, which is not its primary key or a unique constraint; add unique\(\.\.\.\)\.on\("customer_id"\) there/],
    ["a foreign key with a column-count mismatch", () => jobs({ foreignKeys: [foreignKey("jobs_agent_fkey").columns("customer_id", "agent_id").references("public.agents", "id")] }), /foreign key jobs_agent_fkey has 2 column\(s\) but references 1; list matching columns on both sides/],
    ["a foreign key without references()", () => jobs({ foreignKeys: [foreignKey("jobs_agent_fkey").columns("agent_id")], indexes: [index("idx_jobs_agent_id").on("agent_id"), index("idx_jobs_customer_id").on("customer_id")] }), /foreign key jobs_agent_fkey references no table; call \.references/],
    ["onDeleteSetColumns outside the key", () => jobs({ foreignKeys: [foreignKey("jobs_agent_tenant_fkey").columns("customer_id", "agent_id").references("public.agents", "customer_id", "id").onDelete("set null", ["title"])] }), /ON DELETE SET NULL column title is not one of the key's columns \(customer_id, agent_id\)/],
    ["SET NULL over a NOT NULL column", () => jobs({ foreignKeys: [foreignKey("jobs_agent_tenant_fkey").columns("customer_id", "agent_id").references("public.agents", "customer_id", "id").onDelete("set null")] }), /ON DELETE SET NULL would null NOT NULL column customer_id; use \.onDelete\("set null", \[/],
    ["an unindexed foreign key", () => jobs({ indexes: [index("idx_jobs_customer_id").on("customer_id")] }), /foreign key jobs_agent_tenant_fkey: no index leads with \(customer_id, agent_id\); add index\("idx_jobs_customer_id_agent_id"\)/],
    ["a policy on a missing table", () => modelConfig({}, { policies: [policyOn("public.nothing", policy("nothing_select").for("select").to("authenticated").using(own))] }), /policy nothing_select is on table public\.nothing, which the model does not declare/],
    ["a policy without roles", () => jobs({ policies: [policy("jobs_select").for("select").using(own), policy("jobs_update").for("update").to("authenticated").using(own)] }), /policy jobs_select names no roles, so it would apply to PUBLIC \(every role\); add \.to\("authenticated"\)/],
    ["a policy naming an undeclared role", () => jobs({ policies: [policy("jobs_select").for("select").to("authenticated", "editor").using(own), policy("jobs_update").for("update").to("authenticated").using(own)] }), /policy jobs_select names role editor, which the model does not declare; declare the role or fix the name/],
    ["a grant naming an undeclared role", () => jobs({ grants: [...(jobsConfig().grants ?? []), grant("reporting").select()] }), /grant to reporting names role reporting, which the model does not declare/],
    ["a trigger naming an undeclared function", () => jobs({ triggers: [trigger("jobs_t").before("update").execute("public.missing_fn")] }), /trigger jobs_t executes public\.missing_fn, which the model does not declare; declare it with func/],
    ["a function without a pinned search_path", () => modelConfig({}, { functions: [{ ...touch, searchPath: undefined as unknown as string }] }), /function public\.refuse_change: search_path is not pinned; set searchPath: ""/],
    ["a search_path with $user", () => modelConfig({}, { functions: [{ ...touch, searchPath: '"$user", public' }] }), /searchPath "\\"\$user\\", public" is not a fixed list of schemas/],
    ["a tenant table granting a command without a policy", () => jobs({ grants: [grant("authenticated").select(), grant("authenticated").update("title"), grant("authenticated").delete()] }), /table public\.jobs: grants DELETE to authenticated but has no permissive DELETE policy for authenticated; add policy\("jobs_delete"\)/],
    ["two permissive policies per role and command", () => jobs({ policies: [...(jobsConfig().policies ?? []), policy("jobs_read").for("select").to("anon", "authenticated").using(own)] }), /policy jobs_read and jobs_select are both permissive for authenticated on SELECT; merge them/],
    ["auth.uid() evaluated per row", () => jobs({ policies: [policy("jobs_select").for("select").to("authenticated").using(sql`customer_id = auth.uid()`), policy("jobs_update").for("update").to("authenticated").using(own)] }), /policy jobs_select calls auth\.uid\(\) per row; write \(select auth\.uid\(\)\)/],
    ["a tenant table without forced RLS", () => jobs({ rls: { enabled: true, forced: false } }), /table public\.jobs: is a tenant table but RLS is not enabled and forced/],
    ["a timestamp without time zone", () => jobs({ columns: { ...jobsConfig().columns, done_at: column("timestamp without time zone") } }), /column done_at is timestamp without time zone; .* use timestamptz\(\)/],
    ["a SECURITY DEFINER function for the API roles", () => modelConfig({}, { functions: [touch, func("public.set_ctx", { args: [{ name: "id", type: "uuid" }], returns: "void", language: "sql", volatility: "volatile", securityDefiner: true, searchPath: "", body: "select 1", executableBy: ["authenticated"] })] }), /function public\.set_ctx: SECURITY DEFINER and executable by anon\/authenticated/],
    ["a type that smuggles SQL", () => jobs({ columns: { ...jobsConfig().columns, note: column("text); drop table x; --") } }), /column note has type "text\); drop table x; --", which is not a type name/],
    ["an INSERT policy with USING", () => jobs({ policies: [...(jobsConfig().policies ?? []), policy("jobs_insert").for("insert").to("authenticated").using(own)] }), /policy jobs_insert: an INSERT policy has no USING/],
    ["a unique GIN index", () => jobs({ indexes: [...(jobsConfig().indexes ?? []), { name: "idx_jobs_title", columns: ["title"], method: "gin", unique: true }] }), /index idx_jobs_title is unique with method gin/],
    ["a check with an empty expression", () => jobs({ checks: [check("jobs_title_check", sql``)] }), /check constraint jobs_title_check has an empty expression/],
  ];

  it.each(cases)("rejects %s", (_what, config, message) => {
    const problems = problemsOf(config());
    expect(problems).toContainEqual(expect.stringMatching(message));
  });

  it("accepts a name of exactly 63 bytes", () => {
    const name = `idx_${"x".repeat(59)}`;
    expect(Buffer.byteLength(name)).toBe(63);
    expect(problemsOf(jobs({ indexes: [...(jobsConfig().indexes ?? []), index(name).on("title")] }))).toEqual([]);
  });

  it("throws one ModelError listing every problem at once", () => {
    const config = jobs({
      columns: { ...jobsConfig().columns, Bad: text() },
      indexes: [...(jobsConfig().indexes ?? []), index("idx_jobs_nope").on("nope")],
    });
    let error: unknown;
    try {
      defineSchema(config);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelError);
    const me = error as ModelError;
    expect(me.problems).toHaveLength(2);
    expect(me.message).toMatch(/^Invalid schema model \(2 problems\):\n {2}- table public\.jobs: column name "Bad"/);
    expect(me.message).toContain('index idx_jobs_nope names unknown column "nope"');
  });

  it("accepts a policy declared apart from its table", () => {
    const config = modelConfig({}, { policies: [policyOn("public.agents", policy("agents_delete").for("delete").to("authenticated").using(own))] });
    const model = defineSchema(config);
    expect(model.tables.find((t) => t.name === "agents")?.policies.map((p) => p.name)).toEqual(["agents_select", "agents_delete"]);
  });

  it("checks grants against policies on customers too, whose tenancy column is id", () => {
    expect(problemsOf(modelConfig({ customers: { ...customersConfig(), grants: [grant("authenticated").select(), grant("authenticated").update("name")] } }))).toEqual([
      "table public.customers: grants UPDATE to authenticated but has no permissive UPDATE policy for authenticated; add policy(\"customers_update\").for(\"update\").to(\"authenticated\")... or drop the grant",
    ]);
  });
});
