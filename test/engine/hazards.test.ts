import { describe, expect, it } from "vitest";
import { apply, plan, renderPlan, TABLE_LOCK_TIMEOUT_MS, type Plan, type PlanStep } from "../../schema/engine";
import type { TableDecl } from "../../schema/model/types";
import { pgServers, type TestDatabase } from "../support/db";
import { col, converge, exec, model, PG, preparedDatabases, stepsOf, tenantTable } from "./support";

const CUSTOMER = "11111111-1111-1111-1111-111111111111";

function base(extra: Partial<TableDecl> = {}): TableDecl {
  return tenantTable("items", { columns: [col("qty", "integer"), col("note", "character varying(20)")], ...extra });
}

const withHazard = (p: Plan, kind: string): PlanStep[] => p.steps.filter((s) => s.hazards.some((h) => h.kind === kind));

describe.each(pgServers())("hazards on $name", (server) => {
  const prepared = preparedDatabases(server);
  const fresh = async (): Promise<TestDatabase> => {
    const db = await prepared();
    await converge(db, model([base()]));
    await exec(db, `insert into public.items (customer_id, qty, note) values ('${CUSTOMER}', 1, 'a'), ('${CUSTOMER}', 2, null)`);
    return db;
  };

  it("INDEX_BUILD: a new index on an existing table is built concurrently, alone, with a cleanup", async () => {
    const db = await fresh();
    const m = model([base({ indexes: [...base().indexes, { name: "items_qty_idx", columns: ["qty"], method: "btree", unique: false }] })]);
    const p = await plan(db.config, m, PG);
    const [build] = withHazard(p, "INDEX_BUILD");
    expect(build).toMatchObject({ transactional: false, group: "table:public.items", lockTimeoutMs: 1000, statementTimeoutMs: 1_200_000 });
    expect(build.sql).toMatch(/^create index concurrently "items_qty_idx"/);
    expect(build.cleanupSql).toBe('drop index concurrently if exists "public"."items_qty_idx"');
    await apply(db.config, p);
    expect(stepsOf(await plan(db.config, m, PG))).toEqual([]);
  });

  it("LONG_LOCK: a column with a volatile default rewrites the table under its lock", async () => {
    const db = await fresh();
    const m = model([base({ columns: [col("qty", "integer"), col("note", "character varying(20)"), col("token", "uuid", false, "gen_random_uuid()")] })]);
    const p = await plan(db.config, m, PG);
    const [step] = withHazard(p, "LONG_LOCK");
    expect(step.hazards.map((h) => h.kind).sort()).toEqual(["LONG_LOCK", "TABLE_REWRITE"]);
    expect(step).toMatchObject({ transactional: true, lockMode: "ACCESS EXCLUSIVE", lockTimeoutMs: TABLE_LOCK_TIMEOUT_MS, statementTimeoutMs: 30_000 });
    await apply(db.config, p);
    expect(stepsOf(await plan(db.config, m, PG))).toEqual([]);
  });

  it("NOT NULL on an existing column is proven online by a CHECK first, so SET NOT NULL does not scan under the lock", async () => {
    const db = await fresh();
    const m = model([base({ columns: [col("qty", "integer", true), col("note", "character varying(20)")] })]);
    const p = await plan(db.config, m, PG);
    expect(p.steps.map((s) => [s.sql, s.transactional])).toEqual([
      ['alter table "public"."items" add constraint "items_qty_not_null_ve" check ("qty" is not null) not valid', true],
      ['alter table "public"."items" validate constraint "items_qty_not_null_ve"', false],
      ['alter table "public"."items" alter column "qty" set not null', true],
      ['alter table "public"."items" drop constraint if exists "items_qty_not_null_ve"', true],
    ]);
    expect(p.steps.every((s) => s.hazards.length === 0)).toBe(true);
    expect(p.steps[2].precondition?.description).toBe("items_qty_not_null_ve is valid");
    await apply(db.config, p);
    expect(stepsOf(await plan(db.config, m, PG))).toEqual([]);
  });

  it("NOT NULL over NULL rows is blocked and listed; new rows are checked; nothing is re-planned", async () => {
    const db = await fresh();
    const m = model([base({ columns: [col("qty", "integer"), col("note", "character varying(20)", true)] })]);
    const p = await plan(db.config, m, PG);
    expect(p.steps.map((s) => s.sql)).toEqual(['alter table "public"."items" add constraint "items_note_not_null_ve" check ("note" is not null) not valid']);
    expect(p.blocked).toMatchObject([{ table: "public.items", constraint: "items_note_not_null_ve", rowCount: 1 }]);
    await apply(db.config, p);
    const again = await plan(db.config, m, PG);
    expect(stepsOf(again)).toEqual([]);
    expect(again.blocked).toHaveLength(1);
    await exec(db, "update public.items set note = 'x'");
    await apply(db.config, await plan(db.config, m, PG));
    expect(stepsOf(await plan(db.config, m, PG))).toEqual([]);
  });

  it("TABLE_REWRITE and DATA_LOSS: a narrowing type change needs consent", async () => {
    const db = await fresh();
    const m = model([base({ columns: [col("qty", "smallint"), col("note", "character varying(20)")] })]);
    const without = await plan(db.config, m, PG);
    expect(without.steps).toEqual([]);
    expect(without.kept.map((k) => k.object)).toEqual(["column qty on public.items"]);
    const p = await plan(db.config, m, { ...PG, allowDataLoss: ["public.items.qty"] });
    const [step] = withHazard(p, "TABLE_REWRITE");
    expect(step.hazards.map((h) => h.kind).sort()).toEqual(["DATA_LOSS", "LONG_LOCK", "TABLE_REWRITE"]);
    expect(step.consentKey).toBe("public.items.qty");
    await apply(db.config, p, { allowDataLoss: ["public.items.qty"] });
    expect(stepsOf(await plan(db.config, m, PG))).toEqual([]);
  });

  it("widening a varchar is metadata only: no hazard", async () => {
    const db = await fresh();
    const m = model([base({ columns: [col("qty", "integer"), col("note", "text")] })]);
    const p = await plan(db.config, m, PG);
    expect(p.steps.map((s) => [s.sql, s.hazards.length])).toEqual([['alter table "public"."items" alter column "note" type text', 0]]);
  });

  it("DATA_LOSS: an undeclared column with values is kept, and dropped only when the declaration allows it", async () => {
    const db = await fresh();
    const kept = model([tenantTable("items", { columns: [col("qty", "integer")] })]);
    const p = await plan(db.config, kept, PG);
    expect(p.steps).toEqual([]);
    expect(p.kept).toMatchObject([{ table: "public.items", object: "column note on public.items" }]);
    const allowed = model([tenantTable("items", { columns: [col("qty", "integer")], allowDataLoss: { dropColumns: ["note"] } })]);
    const q = await plan(db.config, allowed, PG);
    const [drop] = withHazard(q, "DATA_LOSS");
    expect(drop).toMatchObject({ consentKey: "public.items.note", allowedByDeclaration: true, sql: 'alter table "public"."items" drop column "note"' });
    await apply(db.config, q);
    expect(stepsOf(await plan(db.config, allowed, PG))).toEqual([]);
  });

  it("an undeclared empty column is dropped without consent, guarded by a still-empty precondition", async () => {
    const db = await fresh();
    await exec(db, "update public.items set note = null");
    const m = model([tenantTable("items", { columns: [col("qty", "integer")] })]);
    const p = await plan(db.config, m, PG);
    expect(p.steps).toMatchObject([{ action: "drop", hazards: [], precondition: { description: "note is still empty" } }]);
  });

  it("SECURITY: granting to anon widens access; dropping a permissive policy does not; the text plan says so", async () => {
    const db = await fresh();
    const m = model([base({ grants: [...base().grants, { role: "anon", privileges: ["select"] }], policies: [base().policies[0]] })]);
    const p = await plan(db.config, m, PG);
    const sec = withHazard(p, "SECURITY");
    const grant = sec.find((s) => s.sql.startsWith("grant"));
    const drop = sec.find((s) => s.sql.startsWith("drop policy"));
    expect(grant?.hazards[0].widensAccess).toBe(true);
    expect(drop?.hazards[0].widensAccess).toBe(false);
    expect(renderPlan(p, "text")).toContain("!! SECURITY (widens access): Grants select on public.items to anon.");
    await apply(db.config, p);
    expect(stepsOf(await plan(db.config, m, PG))).toEqual([]);
  });
});
