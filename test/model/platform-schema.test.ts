/**
 * The platform's declared schema holds the properties of target.md "Database: tenant
 * isolation" as data. (That PostgreSQL enforces them is the isolation suite's job.)
 */
import { describe, expect, it } from "vitest";
import { platformSchema } from "../../schema/app";
import { validateModel, type TableDecl } from "../../schema/model";

const t = (name: string): TableDecl => {
  const found = platformSchema.tables.find((x) => x.name === name);
  if (!found) throw new Error(`no table ${name}`);
  return found;
};
const privileges = (table: TableDecl, role: string, privilege: string): { table: boolean; columns: string[] } => {
  const gs = table.grants.filter((g) => g.role === role && g.privileges.includes(privilege as never));
  return { table: gs.some((g) => !g.columns), columns: gs.flatMap((g) => g.columns ?? []) };
};
const TENANT_TABLES = ["customers", "customer_ves", "tasks", "messages", "token_usage", "ve_connections", "api_keys", "security_audit_log", "agent_memory"];

describe("platformSchema", () => {
  it("validates, and declares every table of production-schema.md with every documented column", () => {
    expect(() => validateModel(platformSchema)).not.toThrow();
    expect(platformSchema.tables.map((x) => x.name).sort()).toEqual([...TENANT_TABLES, "virtual_employees"].sort());
    expect(t("virtual_employees").columns.map((c) => c.name)).toEqual([
      "id", "name", "role", "department", "seniority_level", "description", "capabilities", "tools", "pricing_monthly", "status",
      "created_at", "updated_at", "source", "source_id", "token_billing_model", "estimated_usage", "tags", "category", "featured",
      "icon_url", "screenshots", "marketing_description", "last_synced_at", "sync_status",
    ]);
    expect(t("customer_ves").columns.map((c) => c.name)).toEqual([
      "id", "customer_id", "marketplace_agent_id", "agent_name", "agent_namespace", "persona_name", "persona_email",
      "agent_gateway_route_id", "hired_at", "status", "agent_type", "agent_gateway_route",
    ]);
    expect(t("messages").columns).toHaveLength(13);
    expect(t("tasks").columns).toHaveLength(14);
    expect(t("token_usage").columns).toHaveLength(10);
  });

  it("stores every timestamp as timestamptz", () => {
    const naive = platformSchema.tables.flatMap((x) => x.columns.filter((c) => c.type.startsWith("timestamp") && c.type !== "timestamp with time zone").map((c) => `${x.name}.${c.name}`));
    expect(naive).toEqual([]);
    expect(t("customer_ves").columns.find((c) => c.name === "hired_at")?.type).toBe("timestamp with time zone");
  });

  it("enables RLS everywhere and forces it on tenant tables", () => {
    for (const x of platformSchema.tables) {
      expect(x.rls.enabled, x.name).toBe(true);
      expect(x.rls.forced, x.name).toBe(TENANT_TABLES.includes(x.name));
      expect(x.tenancy !== undefined, x.name).toBe(TENANT_TABLES.includes(x.name));
    }
  });

  it("writes every policy TO named roles with (select auth.uid()), customer-owned rows for authenticated", () => {
    for (const x of platformSchema.tables) {
      expect(x.policies.length, `${x.name} needs a policy for authenticated`).toBeGreaterThan(0);
      for (const p of x.policies) {
        expect(p.roles).toContain("authenticated");
        const text = `${p.using?.sql ?? ""} ${p.withCheck?.sql ?? ""}`;
        expect(text).not.toMatch(/(?<!select )auth\.uid\(\)/);
        if (x.tenancy && x.name !== "security_audit_log") expect(text).toContain(`${x.tenancy.column} = (select auth.uid())`);
        if (p.command === "update") expect(p.withCheck?.sql).toBe(p.using?.sql);
      }
    }
    const commands = (name: string): string[] => t(name).policies.map((p) => p.command).sort();
    expect(commands("tasks")).toEqual(["insert", "select", "update"]);
    expect(commands("token_usage")).toEqual(["select"]);
    expect(commands("messages")).toEqual(["insert", "select"]);
    expect(commands("ve_connections")).toEqual(["delete", "insert", "select", "update"]);
    expect(t("security_audit_log").policies).toEqual([expect.objectContaining({ command: "select", roles: ["authenticated"], using: { sql: "false" } })]);
  });

  it("lets anon read only released catalog agents, through one policy naming both roles", () => {
    const anonTables = platformSchema.tables.filter((x) => x.grants.some((g) => g.role === "anon") || x.policies.some((p) => p.roles.includes("anon")));
    expect(anonTables.map((x) => x.name)).toEqual(["virtual_employees"]);
    const ve = t("virtual_employees");
    expect(ve.policies).toHaveLength(1);
    expect(ve.policies[0]).toMatchObject({ command: "select", roles: ["anon", "authenticated"], using: { sql: "status in ('stable', 'beta')" } });
    expect(ve.grants.filter((g) => g.role === "anon")).toEqual([{ role: "anon", privileges: ["select"] }]);
  });

  it("keeps a customer from changing its subscription, reading key hashes or altering the audit log", () => {
    const upd = privileges(t("customers"), "authenticated", "update");
    expect(upd.table).toBe(false);
    expect(upd.columns).not.toContain("subscription_tier");
    expect(upd.columns).not.toContain("subscription_status");
    const sel = privileges(t("api_keys"), "authenticated", "select");
    expect(sel.table).toBe(false);
    expect(sel.columns).not.toContain("key_hash");
    expect(sel.columns).toContain("name");
    const log = t("security_audit_log");
    for (const g of log.grants) expect(g.privileges.filter((p) => ["update", "delete", "truncate"].includes(p))).toEqual([]);
    expect(log.grants.map((g) => g.role)).toEqual(["service_role"]);
    expect(log.triggers.flatMap((tr) => tr.events).sort()).toEqual(["delete", "truncate", "update"]);
    // No table lets authenticated change its tenancy column.
    for (const x of platformSchema.tables) {
      if (x.tenancy) expect(privileges(x, "authenticated", "update").columns, x.name).not.toContain(x.tenancy.column);
      expect(privileges(x, "authenticated", "update").table, x.name).toBe(false);
    }
  });

  it("references tenant rows only through composite same-tenant keys", () => {
    const composite = platformSchema.tables.flatMap((x) =>
      x.foreignKeys.filter((fk) => fk.references.table !== "customers" && fk.references.table !== "virtual_employees").map((fk) => ({ on: x.name, ...fk })),
    );
    expect(composite.map((fk) => fk.name).sort()).toEqual([
      "messages_customer_ve_id_tenant_fkey", "messages_from_ve_id_tenant_fkey", "messages_replied_to_id_tenant_fkey", "messages_to_ve_id_tenant_fkey",
      "tasks_assigned_to_ve_tenant_fkey", "tasks_parent_task_id_tenant_fkey", "token_usage_ve_id_tenant_fkey",
      "ve_connections_from_ve_id_tenant_fkey", "ve_connections_to_ve_id_tenant_fkey",
    ]);
    for (const fk of composite) {
      expect(fk.columns[0]).toBe("customer_id");
      expect(fk.references.columns).toEqual(["customer_id", "id"]);
      if (fk.onDelete === "set null") expect(fk.onDeleteSetColumns).toEqual([fk.columns[1]]);
    }
  });

  it("indexes every foreign key and policy column (leading columns, in order) and keeps the worthwhile drift indexes", () => {
    for (const x of platformSchema.tables) {
      const leads = [x.primaryKey.columns, ...x.uniques.map((u) => u.columns), ...x.indexes.map((i) => i.columns)];
      for (const fk of x.foreignKeys) expect(leads.some((cols) => fk.columns.every((c, i) => cols[i] === c)), `${x.name}.${fk.name}`).toBe(true);
      if (x.tenancy) expect(leads.some((cols) => cols[0] === x.tenancy?.column), x.name).toBe(true);
    }
    const ve = t("virtual_employees").indexes;
    expect(ve.find((i) => i.name === "idx_ve_tags")).toMatchObject({ method: "gin", columns: ["tags"] });
    expect(ve.find((i) => i.name === "idx_ve_featured")?.where).toBeDefined();
    expect(ve.find((i) => i.name === "idx_ve_category")?.columns).toEqual(["category"]);
    expect(t("customer_ves").indexes.find((i) => i.name === "idx_customer_ves_agent_type")?.columns).toEqual(["agent_type", "customer_id"]);
  });

  it("declares the API roles (only service_role bypasses RLS), pins every search_path, retires set_customer_context", () => {
    expect(platformSchema.roles.map((r) => [r.name, r.origin, r.bypassRls])).toEqual([
      ["anon", "platform", false], ["authenticated", "platform", false], ["service_role", "platform", true],
    ]);
    expect(platformSchema.roles.find((r) => r.name === "service_role")?.purpose).toMatch(/BYPASSRLS because/);
    for (const f of platformSchema.functions) {
      expect(f.searchPath).toBe("");
      expect(f.securityDefiner).toBe(false);
    }
    expect(platformSchema.retired).toEqual([expect.objectContaining({ kind: "function", identity: "public.set_customer_context(uuid)" })]);
  });
});
