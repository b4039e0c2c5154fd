import { describe, expect, it } from "vitest";
import { renderPlan, renderSchemaSql, quoteIdent, quoteLiteral, type Plan } from "../../schema/engine";
import { classifyTypeChange } from "../../schema/engine/diff/columns";
import { orderTables } from "../../schema/engine/order";
import { dollarQuote } from "../../schema/engine/sql";
import { platformSchema } from "../../schema/app";
import { tenantTable } from "./support";

const samplePlan: Plan = {
  formatVersion: 1,
  database: "app",
  serverVersion: 150018,
  fingerprint: "0123456789abcdef",
  scope: ["public.tasks"],
  steps: [
    { id: "public.tasks:index:i:create", table: "public.tasks", group: "table:public.tasks", object: "index i on public.tasks", action: "create", sql: 'create index concurrently "i" on "public"."tasks" using btree ("status")', transactional: false, lockTable: "public.tasks", lockMode: "SHARE UPDATE EXCLUSIVE", lockTimeoutMs: 1000, statementTimeoutMs: 1_200_000, hazards: [{ kind: "INDEX_BUILD", message: "Builds an index." }], cleanupSql: 'drop index concurrently if exists "public"."i"' },
    { id: "public.tasks:policy:p:create", table: "public.tasks", group: "table:public.tasks", object: "policy p on public.tasks", action: "create", sql: 'create policy "p" on "public"."tasks" as permissive for select to "anon" using (true)', transactional: true, lockTable: "public.tasks", lockMode: "ACCESS EXCLUSIVE", lockTimeoutMs: 100, statementTimeoutMs: 30_000, hazards: [{ kind: "SECURITY", message: "Adds permissive policy p.", widensAccess: true }] },
    { id: "public.tasks:column:old:drop", table: "public.tasks", group: "table:public.tasks", object: "column old on public.tasks", action: "drop", sql: 'alter table "public"."tasks" drop column "old"', transactional: true, lockTable: "public.tasks", lockMode: "ACCESS EXCLUSIVE", lockTimeoutMs: 100, statementTimeoutMs: 30_000, hazards: [{ kind: "DATA_LOSS", message: "Drops column old." }], consentKey: "public.tasks.old", allowedByDeclaration: true },
  ],
  blocked: [{ table: "public.tasks", constraint: "tasks_fk", reason: "rows reference nothing", rows: ["a"], rowCount: 1 }],
  kept: [{ table: "public.tasks", object: "column note on public.tasks", reason: "holds values" }],
  drift: [{ table: "public.tasks", object: "row level security on public.tasks", expected: "enabled", actual: "disabled", security: true }],
};

function reverseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)]));
  return v;
}

describe("SQL escaping", () => {
  it("quotes identifiers and literals so nothing escapes them", () => {
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral("a\\b")).toBe("E'a\\\\b'");
    expect(() => quoteIdent("")).toThrow();
    expect(dollarQuote("x $body$ y")).toBe("$body0$x $body$ y$body0$");
  });
});

describe("type changes", () => {
  it("knows which changes PostgreSQL makes without a rewrite", () => {
    expect(classifyTypeChange("character varying(50)", "character varying(100)")).toBe("metadata");
    expect(classifyTypeChange("character varying(50)", "text")).toBe("metadata");
    expect(classifyTypeChange("numeric(10,2)", "numeric(12,2)")).toBe("metadata");
    expect(classifyTypeChange("timestamp without time zone", "timestamp with time zone")).toBe("timestamptz");
    expect(classifyTypeChange("character varying(100)", "character varying(50)")).toBe("rewrite");
    expect(classifyTypeChange("integer", "smallint")).toBe("rewrite");
  });
});

describe("table order", () => {
  it("puts referenced tables first and defers a foreign key that closes a cycle", () => {
    const a = tenantTable("a", { foreignKeys: [{ name: "a_b_fkey", columns: ["customer_id"], references: { schema: "public", table: "b", columns: ["id"] }, onDelete: "cascade" }] });
    const b = tenantTable("b", { foreignKeys: [{ name: "b_a_fkey", columns: ["customer_id"], references: { schema: "public", table: "a", columns: ["id"] }, onDelete: "cascade" }] });
    const c = tenantTable("c", { foreignKeys: [{ name: "c_self", columns: ["customer_id"], references: { schema: "public", table: "c", columns: ["id"] }, onDelete: "cascade" }] });
    const o = orderTables([c, a, b]);
    expect(o.tables.map((t) => t.name)).toEqual(["b", "a", "c"]);
    expect([...o.deferred]).toEqual(["public.b:b_a_fkey"]);
  });
});

describe("plan rendering", () => {
  it("json: stable key order, the same plan whatever order its keys were built in", () => {
    const json = renderPlan(samplePlan, "json");
    expect(JSON.parse(json)).toEqual(samplePlan);
    expect(renderPlan(reverseKeys(samplePlan) as Plan, "json")).toBe(json);
    expect(json.indexOf('"blocked"')).toBeLessThan(json.indexOf('"database"'));
  });

  it("text: hazards per statement, security first and marked when it widens access", () => {
    const text = renderPlan(samplePlan, "text");
    expect(text.indexOf("Security changes:")).toBeLessThan(text.indexOf("1. create index i"));
    expect(text).toContain("!! SECURITY (widens access): Adds permissive policy p.");
    expect(text).toContain("consent: public.tasks.old (allowed by the declaration)");
    expect(text).toContain("!! SECURITY row level security on public.tasks");
  });

  it("sql: each group one transaction taking its lock first; concurrent builds outside", () => {
    const sql = renderPlan(samplePlan, "sql");
    expect(sql).toContain('create index concurrently "i"');
    expect(sql.indexOf("create index concurrently")).toBeLessThan(sql.indexOf("begin;"));
    expect(sql).toContain('begin;\nset local lock_timeout = 100;\nset local statement_timeout = 30000;\nlock table "public"."tasks" in access exclusive mode;');
    expect(sql.match(/^begin;$/gm)).toHaveLength(1);
    expect(sql.trimEnd().endsWith("commit;")).toBe(true);
  });

  it("markdown: a pull-request comment with the security table, per-table SQL, blocked, kept and drift", () => {
    const md = renderPlan(samplePlan, "markdown");
    expect(md).toContain("#### ⚠️ Security changes");
    expect(md).toContain("| 🔓 widens | create policy p on public.tasks |");
    expect(md).toContain("```sql");
    expect(md).toContain("#### Blocked");
    expect(md).toContain("| ⚠️ security | row level security on public.tasks | `enabled` | `disabled` |");
  });

  it("renders the whole declared schema without a database, deterministically", () => {
    const a = renderSchemaSql(platformSchema);
    expect(a).toBe(renderSchemaSql(platformSchema));
    expect(a.indexOf('create table "public"."customers"')).toBeLessThan(a.indexOf('create table "public"."customer_ves"'));
    expect(a).toContain("force row level security");
  });
});
