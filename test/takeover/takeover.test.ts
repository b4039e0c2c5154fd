/**
 * Taking over a database in production's state (drift included, rows in every
 * table) and creating one from nothing, with the engine end to end: plan, apply,
 * plan again. Values are compared one by one before and after.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "pg";
import { apply, plan } from "../../schema/engine";
import type { Plan } from "../../schema/engine/plan-types";
import { platformSchema } from "../../schema/app";
import { preparePlatform } from "../../schema/platform";
import { CORE_TABLES, FIXTURE_ANOMALIES, OPTIONAL_TABLES, loadProductionState } from "../fixtures/production";
import { createTestDatabase, pgServers, type TestDatabase } from "../support/db";
import { lostValues, snapshotTables } from "../support/snapshot";

const ALL_TABLES = [...CORE_TABLES, ...OPTIONAL_TABLES];
const opts = { platform: "postgres" as const };

async function policyNames(c: Client): Promise<string[]> {
  const { rows } = await c.query<{ n: string }>("select tablename || '.' || policyname as n from pg_policies where schemaname = 'public' order by 1");
  return rows.map((r) => r.n);
}

async function indexNames(c: Client): Promise<string[]> {
  const { rows } = await c.query<{ n: string }>("select indexname as n from pg_indexes where schemaname = 'public' order by 1");
  return rows.map((r) => r.n);
}

function declaredPolicies(): string[] {
  return platformSchema.tables.flatMap((t) => t.policies.map((p) => `${t.name}.${p.name}`)).sort();
}

describe.each(pgServers())("take-over on $name", (server) => {
  describe.each([true, false])("production state, optional tables present: %s", (optionalTables) => {
    let db: TestDatabase;
    let c: Client;
    let first: Plan;

    beforeAll(async () => {
      db = await createTestDatabase(server, "takeover");
      await preparePlatform(db.config, "postgres");
      c = await db.client();
      await loadProductionState(c, { optionalTables });
    });
    afterAll(async () => db.drop());

    it("converges with no row and no non-null value lost, and a second plan is empty", async () => {
      const tables = optionalTables ? ALL_TABLES : [...CORE_TABLES];
      const before = await snapshotTables(c, tables);
      first = await plan(db.config, platformSchema, opts);
      expect(first.steps.length).toBeGreaterThan(0);
      const result = await apply(db.config, first);
      expect(result.steps.filter((s) => s.status === "failed")).toEqual([]);

      const after = await snapshotTables(c, tables);
      expect(lostValues(before, after)).toEqual([]);
      for (const t of tables) expect(after.get(t)?.size, t).toBe(before.get(t)?.size);

      const second = await plan(db.config, platformSchema, opts);
      expect(second.steps.map((s) => `${s.id}: ${s.sql}`)).toEqual([]);
    });

    it("replaces superseded policies and duplicate indexes with the declared ones", async () => {
      const present = await policyNames(c);
      expect(present).toEqual(declaredPolicies());
      const indexes = await indexNames(c);
      expect(indexes).not.toContain("idx_messages_to_ve_id");
      for (const t of platformSchema.tables) for (const ix of t.indexes) expect(indexes).toContain(ix.name);
      const invalid = await c.query("select 1 from pg_index i join pg_class c on c.oid = i.indrelid where not i.indisvalid");
      expect(invalid.rowCount).toBe(0);
    });

    it("keeps and reports undeclared columns that hold data", async () => {
      const kept = first.kept.map((k) => k.object).join("\n");
      expect(kept).toContain("message_type");
      expect(kept).toContain("kagent_version");
      const { rows } = await c.query("select count(message_type)::int as n from public.messages");
      expect(rows[0].n).toBeGreaterThan(0);
    });

    it("makes every timestamp a timestamptz, including kept columns", async () => {
      const { rows } = await c.query(
        `select table_name || '.' || column_name as col from information_schema.columns
          where table_schema = 'public' and data_type = 'timestamp without time zone'`,
      );
      expect(rows).toEqual([]);
    });

    it("leaves the cross-tenant row in place, reports it, and keeps the new key NOT VALID (blocked, not pending)", async () => {
      const anomaly = FIXTURE_ANOMALIES.crossTenantTask;
      const row = await c.query("select assigned_to_ve::text as ve from public.tasks where id = $1", [anomaly.id]);
      expect(row.rows[0].ve).toBe(anomaly.assignedToVe);
      const blocked = first.blocked.find((b) => b.constraint.includes("tasks_assigned_to_ve_tenant_fkey"));
      expect(blocked?.rows.join(" ")).toContain(anomaly.id);
      const con = await c.query("select convalidated from pg_constraint where conname = 'tasks_assigned_to_ve_tenant_fkey'");
      expect(con.rows[0].convalidated).toBe(false);
      // The old single-column key it supersedes stays until the replacement validates.
      expect(first.kept.map((k) => k.object)).toContain("constraint tasks_assigned_to_ve_fkey on public.tasks");
      const old = await c.query("select 1 from pg_constraint where conname = 'tasks_assigned_to_ve_fkey'");
      expect(old.rowCount).toBe(1);
      // Still enforced for new rows: another customer's agent is refused.
      const insert = c.query("insert into public.tasks (customer_id, title, assigned_to_ve) values ($1, 'x', $2)", [
        anomaly.customerId,
        anomaly.assignedToVe,
      ]);
      await expect(insert).rejects.toThrow(/tasks_assigned_to_ve_tenant_fkey/);
      const again = await plan(db.config, platformSchema, opts);
      expect(again.blocked.map((b) => b.constraint).join(" ")).toContain("tasks_assigned_to_ve_tenant_fkey");
    });

    it("removes the context-switching function", async () => {
      const { rows } = await c.query("select to_regprocedure('public.set_customer_context(uuid)') as f");
      expect(rows[0].f).toBeNull();
    });
  });

  describe("from an empty database", () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase(server, "empty");
      await preparePlatform(db.config, "postgres");
    });
    afterAll(async () => db.drop());

    it("creates the whole schema, and a second plan is empty", async () => {
      const p = await plan(db.config, platformSchema, opts);
      await apply(db.config, p);
      const c = await db.client();
      expect(await policyNames(c)).toEqual(declaredPolicies());
      const again = await plan(db.config, platformSchema, opts);
      expect(again.steps.map((s) => `${s.id}: ${s.sql}`)).toEqual([]);
      expect(again.drift).toEqual([]);
    });
  });

  describe("failures and concurrency", () => {
    let db: TestDatabase;
    let c: Client;
    beforeAll(async () => {
      db = await createTestDatabase(server, "tofail");
      await preparePlatform(db.config, "postgres");
      c = await db.client();
      await loadProductionState(c, { optionalTables: true });
    });
    afterAll(async () => db.drop());

    it("a failed apply leaves each table unchanged or converged, and a rerun finishes", async () => {
      const before = await snapshotTables(c, ALL_TABLES);
      const p = await plan(db.config, platformSchema, opts);
      // The application holds messages for longer than the applier will wait.
      const app = await db.client();
      await app.query("begin; lock table public.messages in row exclusive mode");
      const policiesBefore = (await policyNames(c)).filter((n) => n.startsWith("messages."));
      const err = await apply(db.config, p, { maxAttempts: 2, retryBaseDelayMs: 10 }).catch((e: unknown) => e);
      await app.query("rollback");
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/messages/);
      // messages' own transaction never committed: its policies are as they were.
      expect((await policyNames(c)).filter((n) => n.startsWith("messages."))).toEqual(policiesBefore);

      const rerun = await plan(db.config, platformSchema, opts);
      await apply(db.config, rerun);
      const final = await plan(db.config, platformSchema, opts);
      expect(final.steps.map((s) => s.id)).toEqual([]);
      expect(lostValues(before, await snapshotTables(c, ALL_TABLES))).toEqual([]);
    });

    it("two concurrent applies of the same change both finish, and the result converges", async () => {
      const db2 = await createTestDatabase(server, "twice");
      try {
        await preparePlatform(db2.config, "postgres");
        const c2 = await db2.client();
        await loadProductionState(c2, { optionalTables: true });
        const [p1, p2] = await Promise.all([plan(db2.config, platformSchema, opts), plan(db2.config, platformSchema, opts)]);
        const outcomes = await Promise.allSettled([apply(db2.config, p1), apply(db2.config, p2)]);
        // One applier wins each table; the other either finds it done or refuses a stale plan: never a half-applied mix.
        expect(outcomes.some((o) => o.status === "fulfilled")).toBe(true);
        for (const o of outcomes) if (o.status === "rejected") expect(String(o.reason)).toMatch(/fingerprint|changed since|already exists/);
        const final = await plan(db2.config, platformSchema, opts);
        if (final.steps.length > 0) await apply(db2.config, final);
        const settled = await plan(db2.config, platformSchema, opts);
        expect(settled.steps.map((s) => s.id)).toEqual([]);
      } finally {
        await db2.drop();
      }
    });
  });
});
