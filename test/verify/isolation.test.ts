import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "pg";
import { createTestDatabase, pgServers, type PgServer, type TestDatabase } from "../support/db";
import { preparePlatform } from "../../schema/platform";
import { column, foreignKey, grant, index, policy, sql, table, uuid, type SchemaModel } from "../../schema/model";
import { verifyIsolation, type IsolationReport } from "../../schema/verify";
import { miniModel, renderMiniSchema } from "./support/mini-schema";

async function run(db: TestDatabase, statements: string): Promise<void> {
  const c = new Client(db.config);
  await c.connect();
  try {
    await c.query(statements);
  } finally {
    await c.end();
  }
}

async function deploy(server: PgServer, model: SchemaModel, weaken = ""): Promise<TestDatabase> {
  const db = await createTestDatabase(server, "iso");
  await preparePlatform(db.config, "postgres");
  await run(db, renderMiniSchema(model).join(";\n"));
  if (weaken) await run(db, weaken);
  return db;
}

const kinds = (r: IsolationReport, object: string, actor: string) => r.attempts.filter((a) => a.object === object && a.actor === actor).map((a) => a.kind);

/** Deliberately weakened schemas: each must produce the named finding on the named attempt. */
const WEAKENED: [string, string, { check: string; object: string; kind: string; actual: string }][] = [
  [
    "a policy USING (true)",
    `drop policy tasks_select on public.tasks;
     create policy tasks_select on public.tasks for select to authenticated using (true)`,
    { check: "isolation_breach", object: "public.tasks", kind: "read_other", actual: "allowed" },
  ],
  [
    "a missing WITH CHECK that lets a row move to another customer",
    `grant update (customer_id) on public.customer_ves to authenticated;
     drop policy customer_ves_update on public.customer_ves;
     create policy customer_ves_update on public.customer_ves for update to authenticated using (customer_id = (select auth.uid())) with check (true)`,
    { check: "isolation_breach", object: "public.customer_ves", kind: "move", actual: "allowed" },
  ],
  [
    "a single-column key where a same-tenant key belongs",
    `alter table public.tasks drop constraint tasks_assigned_to_ve_fkey;
     alter table public.tasks add constraint tasks_assigned_to_ve_single_fkey foreign key (assigned_to_ve) references public.customer_ves (id) on delete set null`,
    { check: "isolation_breach", object: "public.tasks", kind: "reference_update:tasks_assigned_to_ve_fkey", actual: "allowed" },
  ],
  [
    "a self-reference without the tenant in the key (a reply to another customer's message)",
    `alter table public.messages drop constraint messages_replied_to_id_fkey;
     alter table public.messages add constraint messages_replied_to_single_fkey foreign key (replied_to_id) references public.messages (id)`,
    { check: "isolation_breach", object: "public.messages", kind: "reference_insert:messages_replied_to_id_fkey", actual: "allowed" },
  ],
  [
    "a leaky policy on a table whose tenancy column is not readable",
    `revoke select on public.agent_memory from authenticated;
     grant select (id, content) on public.agent_memory to authenticated;
     drop policy agent_memory_select on public.agent_memory;
     create policy agent_memory_select on public.agent_memory for select to authenticated using (true)`,
    { check: "isolation_breach", object: "public.agent_memory", kind: "read_other_blind", actual: "allowed" },
  ],
  [
    "a grant to anon that only the policies hold back",
    `grant select on public.api_keys to anon`,
    { check: "excess_privilege", object: "public.api_keys", kind: "read_any", actual: "no_rows" },
  ],
  [
    "a grant to anon with a policy that lets it read",
    `grant select on public.messages to anon;
     create policy messages_anon on public.messages for select to anon using (true)`,
    { check: "isolation_breach", object: "public.messages", kind: "read_any", actual: "allowed" },
  ],
  [
    "a write-only column made readable",
    `grant select (key_hash) on public.api_keys to authenticated`,
    { check: "isolation_breach", object: "public.api_keys", kind: "forbidden_select:key_hash", actual: "allowed" },
  ],
  [
    "an audit log a customer can delete from",
    `grant delete on public.security_audit_log to authenticated;
     create policy security_audit_log_delete on public.security_audit_log for delete to authenticated using (customer_id = (select auth.uid()))`,
    // DELETE without SELECT: only a DELETE without WHERE can use it, so that is what is tried.
    { check: "isolation_breach", object: "public.security_audit_log", kind: "forbidden_delete", actual: "allowed" },
  ],
  [
    "a DELETE policy USING (true) behind a tight SELECT policy",
    `drop policy customer_ves_delete on public.customer_ves;
     create policy customer_ves_delete on public.customer_ves for delete to authenticated using (true)`,
    { check: "isolation_breach", object: "public.customer_ves", kind: "delete_other_blind", actual: "allowed" },
  ],
  [
    "a SECURITY DEFINER context function anyone may call",
    `create function public.set_customer_context(p_customer_id uuid) returns void language plpgsql security definer
       as $$ begin perform set_config('app.current_customer_id', p_customer_id::text, false); end $$;
     grant execute on function public.set_customer_context(uuid) to anon, authenticated;
     drop policy agent_memory_select on public.agent_memory;
     create policy agent_memory_select on public.agent_memory for select to authenticated
       using (customer_id = nullif(current_setting('app.current_customer_id', true), '')::uuid)`,
    { check: "isolation_breach", object: "public.set_customer_context(p_customer_id uuid)", kind: "context_switch", actual: "allowed" },
  ],
];

describe.each(pgServers())("verifyIsolation on $name", (server) => {
  describe("the intact schema", () => {
    let db: TestDatabase;
    let report: IsolationReport;
    beforeAll(async () => {
      db = await deploy(server, miniModel);
      report = await verifyIsolation(db.config, miniModel);
    });
    afterAll(async () => db?.drop());

    it("reports no finding, every attempt as expected", () => {
      expect(report.findings).toEqual([]);
      expect(report.attempts.filter((a) => !a.ok)).toEqual([]);
      expect(report.summary).toMatchObject({ breaches: 0, failedLegitimate: 0, inconclusive: 0 });
      expect(report.summary.passed).toBe(report.summary.attempts);
    });

    it("tries every table with every command as A, B and anon", () => {
      for (const t of miniModel.tables) {
        const object = `${t.schema}.${t.name}`;
        const actors = t.tenancy ? ["A", "B", "anon"] : ["anon"];
        for (const actor of actors) {
          const commands = new Set(report.attempts.filter((a) => a.object === object && a.actor === actor).map((a) => a.command));
          expect([...commands].sort(), `${actor} on ${object}`).toEqual(["delete", "insert", "select", "update"]);
        }
      }
    });

    it("lets a customer do on its own rows exactly what the model grants", () => {
      const own = (object: string, kind: string) => report.attempts.find((a) => a.actor === "A" && a.object === object && a.kind === kind);
      expect(own("public.customer_ves", "insert_own")).toMatchObject({ expected: "allowed", actual: "allowed" });
      expect(own("public.customer_ves", "delete_own")).toMatchObject({ expected: "allowed", actual: "allowed" });
      expect(own("public.tasks", "update_own")).toMatchObject({ expected: "allowed", actual: "allowed" });
      // No DELETE policy on tasks; no privilege at all on the audit log; no INSERT on customers.
      expect(own("public.tasks", "delete_own")).toMatchObject({ expected: "denied", actual: "denied" });
      expect(own("public.security_audit_log", "update_own")).toMatchObject({ expected: "denied", actual: "denied" });
      expect(own("public.customers", "insert_own")).toMatchObject({ expected: "denied", actual: "denied" });
      expect(own("public.customers", "update_column:subscription_tier")).toMatchObject({ actual: "denied" });
      expect(report.attempts.filter((a) => a.expected === "allowed" && a.actual === "allowed").length).toBeGreaterThan(15);
    });

    it("tries cross-tenant references through every tenant-to-tenant key, stopped by the same-tenant keys", () => {
      const refs = report.attempts.filter((a) => a.actor === "A" && a.kind.startsWith("reference_update:"));
      // messages has no UPDATE privilege at all; tasks' composite keys refuse the other tenant's rows.
      expect(Object.fromEntries(refs.map((a) => [`${a.object} ${a.kind}`, a.actual]))).toEqual({
        "public.messages reference_update:messages_replied_to_id_fkey": "denied",
        "public.tasks reference_update:tasks_assigned_to_ve_fkey": "constraint",
        "public.tasks reference_update:tasks_parent_task_id_fkey": "constraint",
      });
      const inserts = report.attempts.filter((a) => a.actor === "B" && a.kind.startsWith("reference_insert:"));
      expect(inserts.map((a) => a.actual)).toEqual(["constraint", "constraint", "constraint"]);
    });

    it("tries the actions the target names and sees them refused", () => {
      expect(kinds(report, "public.api_keys", "A")).toContain("forbidden_select:key_hash");
      expect(kinds(report, "public.customers", "B")).toContain("forbidden_update:subscription_tier");
      expect(kinds(report, "public.security_audit_log", "A")).toEqual(expect.arrayContaining(["forbidden_update", "forbidden_delete"]));
      expect(report.attempts.filter((a) => a.kind.startsWith("forbidden_")).every((a) => a.actual === "denied")).toBe(true);
    });

    it("lets anon read the catalog's public rows and nothing else", () => {
      const anon = report.attempts.filter((a) => a.actor === "anon" && a.command === "select");
      expect(anon.find((a) => a.kind === "read_catalog")?.actual).toBe("allowed");
      expect(anon.find((a) => a.kind === "read_hidden")?.actual).toBe("no_rows");
      expect(anon.filter((a) => a.kind === "read_any").every((a) => a.actual === "denied")).toBe(true);
    });

    it("leaves no row behind", async () => {
      const c = await db.client();
      const { rows } = await c.query<{ n: number }>(
        `select (select count(*) from public.customers) + (select count(*) from public.tasks) + (select count(*) from auth.users)
              + (select count(*) from public.virtual_employees) as n`,
      );
      expect(Number(rows[0].n)).toBe(0);
    });
  });

  it.each(WEAKENED)("catches %s", async (_name, weaken, want) => {
    const db = await deploy(server, miniModel, weaken);
    try {
      const report = await verifyIsolation(db.config, miniModel);
      const attempt = report.attempts.find((a) => a.object === want.object && a.kind === want.kind && !a.ok);
      expect(attempt, JSON.stringify(report.findings, null, 1)).toBeDefined();
      expect(attempt?.actual).toBe(want.actual);
      expect(report.findings.some((f) => f.check === want.check && f.object === want.object)).toBe(true);
    } finally {
      await db.drop();
    }
  });

  it("creates auth users for its customers when a table references auth.users", async () => {
    const db = await deploy(server, miniModel, `alter table public.customers add constraint customers_id_fkey foreign key (id) references auth.users (id)`);
    try {
      const report = await verifyIsolation(db.config, miniModel);
      expect(report.findings).toEqual([]);
      expect(report.attempts.find((a) => a.actor === "A" && a.object === "public.customers" && a.kind === "update_own")?.actual).toBe("allowed");
    } finally {
      await db.drop();
    }
  });

  it("asks for an override where it cannot generate a value, and uses it", async () => {
    const places = table("public.places", {
      tenancy: { column: "customer_id" },
      columns: { id: uuid().primaryKey().defaultRandom(), customer_id: uuid().notNull(), location: column("point").notNull() },
      foreignKeys: [foreignKey("places_customer_id_fkey").columns("customer_id").references("public.customers", "id").onDelete("cascade")],
      indexes: [index("idx_places_customer_id").on("customer_id")],
      policies: [policy("places_select").for("select").to("authenticated").using(sql`customer_id = (select auth.uid())`)],
      grants: [grant("authenticated").select()],
    });
    const model: SchemaModel = { ...miniModel, tables: [...miniModel.tables, places] };
    const db = await deploy(server, model);
    try {
      await expect(verifyIsolation(db.config, model)).rejects.toThrow(/type point for public\.places\.location; add it to the overrides/);
      const report = await verifyIsolation(db.config, model, { overrides: { "public.places": { location: "(1,2)" } } });
      expect(report.findings).toEqual([]);
      expect(kinds(report, "public.places", "A")).toContain("read_other");
    } finally {
      await db.drop();
    }
  });
});
