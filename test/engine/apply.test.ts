/**
 * The applier against real PostgreSQL, with hand-built plans so each behaviour is
 * exercised on its own: atomic table groups, lock-timeout retries, concurrent index
 * builds and their cleanup, blocked preconditions, data-loss consent, advisory locks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, type ClientConfig } from "pg";
import { apply as applyPlan, ApplyError, DataLossRefusedError, locksOf, type ApplyEvent, type ApplyOptions } from "../../schema/engine/apply";
import type { Plan, PlanStep } from "../../schema/engine/plan-types";
import { createTestDatabase, pgServers, type TestDatabase } from "../support/db";

function step(id: string, sql: string, extra: Partial<PlanStep> = {}): PlanStep {
  return {
    id,
    table: "public.items",
    group: "table:public.items",
    object: id,
    action: "create",
    sql,
    transactional: true,
    lockTable: "public.items",
    lockMode: "ACCESS EXCLUSIVE",
    lockTimeoutMs: 100,
    statementTimeoutMs: 30_000,
    hazards: [],
    ...extra,
  };
}

/** Hand-built plans carry no real fingerprint; the stale-plan test turns the check back on. */
function apply(db: ClientConfig, plan: Plan, options: ApplyOptions = {}) {
  return applyPlan(db, plan, { verifyFingerprint: false, ...options });
}

function planOf(steps: PlanStep[]): Plan {
  return { formatVersion: 1, database: "test", serverVersion: 0, fingerprint: "x", scope: ["public.items"], steps, blocked: [], kept: [], drift: [] };
}

describe.each(pgServers())("apply on $name", (server) => {
  let db: TestDatabase;
  let sql: Client;

  beforeAll(async () => {
    db = await createTestDatabase(server, "apply");
    sql = await db.client();
  });
  afterAll(async () => db.drop());

  async function resetItems(): Promise<void> {
    await sql.query("drop table if exists public.items cascade; create table public.items (id int primary key, customer_id uuid, v text)");
    await sql.query("insert into public.items select g, null, 'v' || g from generate_series(1, 20) g");
  }

  async function columns(): Promise<string[]> {
    const { rows } = await sql.query<{ attname: string }>(
      "select attname from pg_attribute where attrelid = 'public.items'::regclass and attnum > 0 and not attisdropped order by attnum",
    );
    return rows.map((r) => r.attname);
  }

  it("commits a table's steps together, and rolls all of them back when one fails", async () => {
    await resetItems();
    const plan = planOf([
      step("a", "alter table public.items add column a int"),
      step("b", "alter table public.items add column b int"),
      step("c", "alter table public.items add column c nonexistent_type"),
      step("d", "create table public.after_failure (id int)", { group: "table:public.after_failure", table: "public.after_failure", lockTable: undefined }),
    ]);
    const err = await apply(db.config, plan).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplyError);
    const e = err as ApplyError;
    expect(e.message).toContain("step c");
    expect(e.message).toContain("nonexistent_type");
    expect(e.message).toContain("add column c nonexistent_type");
    expect(e.result.steps.map((s) => s.status)).toEqual(["not-run", "not-run", "failed", "not-run"]);
    expect(await columns()).toEqual(["id", "customer_id", "v"]);
    const later = await sql.query("select to_regclass('public.after_failure') as t");
    expect(later.rows[0].t).toBeNull();
  });

  it("retries a group on lock timeout until the application's lock is released", async () => {
    await resetItems();
    const app = await db.client();
    await app.query("begin; lock table public.items in row exclusive mode");
    const events: ApplyEvent[] = [];
    setTimeout(() => void app.query("commit"), 400);
    const result = await apply(db.config, planOf([step("a", "alter table public.items add column a int")]), {
      onEvent: (e) => events.push(e),
    });
    expect(result.steps[0].status).toBe("applied");
    expect(result.steps[0].attempts).toBeGreaterThan(1);
    expect(events.some((e) => e.type === "retry" && e.reason.includes("55P03"))).toBe(true);
    expect(await columns()).toContain("a");
  });

  it("gives up after its attempts with a clear error and leaves the table unchanged", async () => {
    await resetItems();
    const app = await db.client();
    await app.query("begin; lock table public.items in row exclusive mode");
    const err = await apply(db.config, planOf([step("a", "alter table public.items add column a int")]), {
      maxAttempts: 3,
      retryBaseDelayMs: 10,
    }).catch((e: unknown) => e);
    await app.query("commit");
    expect(err).toBeInstanceOf(ApplyError);
    expect((err as ApplyError).message).toMatch(/after 3 attempt\(s\)/);
    expect((err as ApplyError).sqlState).toBe("55P03");
    expect(await columns()).toEqual(["id", "customer_id", "v"]);
  });

  it("builds indexes concurrently outside a transaction, and drops the INVALID leftover of a failed build", async () => {
    await resetItems();
    const ok = await apply(
      db.config,
      planOf([
        step("idx", "create index concurrently idx_items_v on public.items (v)", {
          transactional: false,
          lockTable: undefined,
          lockTimeoutMs: 1000,
          statementTimeoutMs: 1_200_000,
          hazards: [{ kind: "INDEX_BUILD", message: "builds an index" }],
          cleanupSql: "drop index concurrently if exists public.idx_items_v",
        }),
      ]),
    );
    expect(ok.steps[0].status).toBe("applied");

    await sql.query("update public.items set v = 'dup' where id in (1, 2)");
    const err = await apply(
      db.config,
      planOf([
        step("uniq", "create unique index concurrently items_v_key on public.items (v)", {
          transactional: false,
          lockTable: undefined,
          cleanupSql: "drop index concurrently if exists public.items_v_key",
        }),
      ]),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplyError);
    expect((err as ApplyError).sqlState).toBe("23505");
    const left = await sql.query("select indexrelid::regclass::text as name, indisvalid from pg_index where indrelid = 'public.items'::regclass");
    expect(left.rows.map((r) => r.name).sort()).toEqual(["idx_items_v", "items_pkey"]);
  });

  it("skips a step whose precondition finds rows, reports them, and keeps the constraint NOT VALID", async () => {
    await resetItems();
    await sql.query("update public.items set v = null where id in (3, 7)");
    await sql.query("alter table public.items add constraint items_v_not_null check (v is not null) not valid");
    const result = await apply(
      db.config,
      planOf([
        step("validate", "alter table public.items validate constraint items_v_not_null", {
          action: "validate",
          lockMode: "SHARE UPDATE EXCLUSIVE",
          precondition: { sql: "select id::text from public.items where not (v is not null) order by id limit 100", description: "rows with v null" },
        }),
      ]),
    );
    expect(result.steps[0].status).toBe("skipped-blocked");
    expect(result.blocked).toEqual([
      { table: "public.items", constraint: "validate", reason: "rows with v null", rows: ["3", "7"], rowCount: 2 },
    ]);
    const con = await sql.query("select convalidated from pg_constraint where conname = 'items_v_not_null'");
    expect(con.rows[0].convalidated).toBe(false);
    const rows = await sql.query("select count(*)::int as n from public.items");
    expect(rows.rows[0].n).toBe(20);
  });

  it("refuses data-losing steps without consent before running anything, and runs them with it", async () => {
    await resetItems();
    const losing = step("drop", "alter table public.items drop column v", {
      action: "drop",
      consentKey: "public.items.v",
      hazards: [{ kind: "DATA_LOSS", message: "drops column v holding 20 values" }],
    });
    const first = step("first", "alter table public.items add column first int", { group: "table:public.other", lockTable: undefined });
    const refused = await apply(db.config, planOf([first, losing])).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DataLossRefusedError);
    expect((refused as Error).message).toContain("--allow-data-loss public.items.v");
    expect(await columns()).toEqual(["id", "customer_id", "v"]);

    const wrongKey = await apply(db.config, planOf([losing]), { allowDataLoss: ["public.items.other"] }).catch((e: unknown) => e);
    expect(wrongKey).toBeInstanceOf(DataLossRefusedError);

    await apply(db.config, planOf([losing]), { allowDataLoss: ["public.items.v"] });
    expect(await columns()).toEqual(["id", "customer_id"]);

    await sql.query("alter table public.items add column w text");
    await apply(db.config, planOf([{ ...losing, sql: "alter table public.items drop column w", allowedByDeclaration: true }]));
    expect(await columns()).toEqual(["id", "customer_id"]);
  });

  it("serialises two appliers on the same table: the second waits for the first", async () => {
    await resetItems();
    const slow = planOf([step("slow", "select pg_sleep(0.6)", { statementTimeoutMs: 5000 })]);
    const fast = planOf([step("fast", "alter table public.items add column fast int")]);
    const waited: ApplyEvent[] = [];
    let slowDone = 0;
    const first = apply(db.config, slow).then(() => (slowDone = Date.now()));
    await new Promise((r) => setTimeout(r, 150));
    const second = apply(db.config, fast, { onEvent: (e) => waited.push(e) }).then(() => Date.now());
    const [, fastDone] = await Promise.all([first, second]);
    expect(waited[0]?.type).toBe("waiting-for-lock");
    expect(fastDone).toBeGreaterThanOrEqual(slowDone);
  });

  it("fails clearly when another applier holds the table longer than it will wait", async () => {
    await resetItems();
    const holder = await db.client();
    await holder.query("select pg_advisory_lock(hashtextextended('ve-infra:' || 'table:public.items', 0))");
    const err = await apply(db.config, planOf([step("a", "alter table public.items add column a int")]), { advisoryLockWaitMs: 300 }).catch(
      (e: unknown) => e,
    );
    await holder.query("select pg_advisory_unlock_all()");
    expect((err as Error).message).toMatch(/another ve-infra apply \(backend pid \d+\) is changing table:public.items/);
    expect(await columns()).toEqual(["id", "customer_id", "v"]);
  });

  it("refuses a stale plan", async () => {
    await resetItems();
    const err = await apply(db.config, planOf([step("a", "alter table public.items add column a int")]), { verifyFingerprint: true }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(/fingerprint mismatch/);
    expect(await columns()).toEqual(["id", "customer_id", "v"]);
  });

  it("reads old timestamp values as UTC whatever the database's time zone", async () => {
    await sql.query(`alter database "${db.name}" set timezone = 'America/New_York'`);
    const c = await db.client();
    await c.query("drop table if exists public.ts; create table public.ts (id int primary key, at timestamp)");
    await c.query("insert into public.ts values (1, '2025-11-25 08:17:20')");
    await apply(
      db.config,
      planOf([
        step("ts", "alter table public.ts alter column at type timestamp with time zone", {
          table: "public.ts",
          group: "table:public.ts",
          lockTable: "public.ts",
          hazards: [],
        }),
      ]),
    );
    const { rows } = await c.query("select to_char(at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') as utc from public.ts");
    expect(rows[0].utc).toBe("2025-11-25 08:17:20");
  });

  it("refuses to run as a role without BYPASSRLS", async () => {
    const role = `nobypass_${db.name}`;
    await sql.query(`create role ${role} login password 'pw'`);
    try {
      const url = new URL(db.url);
      url.username = role;
      url.password = "pw";
      const err = await apply({ connectionString: url.toString() }, planOf([step("a", "select 1")])).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/neither SUPERUSER nor BYPASSRLS/);
    } finally {
      await sql.query(`drop role ${role}`);
    }
  });
});

describe("lock order of a table's transaction", () => {
  const fk = (table: string, mode: "SHARE ROW EXCLUSIVE" | "ACCESS EXCLUSIVE") => ({ table, mode });
  const unit = {
    group: "table:public.items",
    transactional: true,
    steps: [
      step("add", "alter table public.items add constraint a foreign key ...", { lockMode: "ACCESS EXCLUSIVE", alsoLocks: [fk("public.parents", "SHARE ROW EXCLUSIVE")] }),
      step("drop", "alter table public.items drop constraint b", { lockMode: "ACCESS EXCLUSIVE", alsoLocks: [fk("public.parents", "ACCESS EXCLUSIVE"), fk("public.a_other", "ACCESS EXCLUSIVE")] }),
      step("self", "alter table public.items add constraint c foreign key ...", { alsoLocks: [fk("public.items", "SHARE ROW EXCLUSIVE")] }),
    ],
  };

  it("takes its own table first, then the others sorted, each in the strongest mode a step needs", () => {
    expect(locksOf(unit)).toEqual([
      { table: "public.items", mode: "ACCESS EXCLUSIVE" },
      { table: "public.a_other", mode: "ACCESS EXCLUSIVE" },
      { table: "public.parents", mode: "ACCESS EXCLUSIVE" },
    ]);
  });

  it("takes the others first after a timeout that held one table and waited for the next", () => {
    expect(locksOf(unit, true).map((l) => l.table)).toEqual(["public.a_other", "public.parents", "public.items"]);
  });
});
