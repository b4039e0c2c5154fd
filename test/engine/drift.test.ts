import { describe, expect, it } from "vitest";
import { apply, ModelExpressionError, plan, renderPlan } from "../../schema/engine";
import type { SchemaModel } from "../../schema/model/types";
import { pgServers } from "../support/db";
import { expressionsModel } from "./fixtures";
import { converge, exec, PG, preparedDatabases, stepsOf } from "./support";

function withPolicyUsing(m: SchemaModel, sql: string): SchemaModel {
  return { ...m, tables: m.tables.map((t) => (t.name !== "things" ? t : { ...t, policies: t.policies.map((p) => (p.name === "things_select" ? { ...p, using: { sql } } : p)) })) };
}

describe.each(pgServers())("drift and bad declarations on $name", (server) => {
  const fresh = preparedDatabases(server);

  it("reports hand changes as drift, security drift flagged, and the plan repairs them", async () => {
    const db = await fresh();
    const m = expressionsModel();
    await converge(db, m);
    await exec(
      db,
      `alter policy things_select on public.things using (true);
       create policy sneaky on public.owners for select to anon using (true);
       alter table public.owners disable row level security;
       grant select on public.things to anon;
       alter function public.touch_updated_at() security definer;
       grant execute on function public.touch_updated_at() to anon;
       comment on table public.things is 'edited';`,
    );
    const p = await plan(db.config, m, PG);
    const byObject = new Map(p.drift.map((d) => [d.object, d]));
    expect(byObject.get("policy things_select on public.things")).toMatchObject({ actual: expect.stringContaining("USING true"), security: true });
    expect(byObject.get("policy sneaky on public.owners")).toMatchObject({ expected: "(not declared)", security: true });
    expect(byObject.get("row level security on public.owners")).toMatchObject({ expected: "enabled", actual: "disabled", security: true });
    expect(byObject.get("privileges of anon on public.things")).toMatchObject({ expected: "(none)", actual: "select", security: true });
    expect(byObject.get("function public.touch_updated_at()")).toMatchObject({ security: true });
    expect(byObject.get("EXECUTE on function public.touch_updated_at()")).toMatchObject({ actual: "anon", security: true });
    expect(byObject.get("comment on public.things")).toMatchObject({ security: false });
    expect(renderPlan(p, "markdown")).toContain("⚠️ security");
    await apply(db.config, p);
    const again = await plan(db.config, m, PG);
    expect(stepsOf(again)).toEqual([]);
    expect(again.drift).toEqual([]);
  });

  it("renames an equivalent constraint or index instead of rebuilding it", async () => {
    const db = await fresh();
    const m = expressionsModel();
    await converge(db, m);
    await exec(db, `alter index public.things_active_idx rename to idx_old_active; alter table public.things rename constraint things_status_check to old_check`);
    const p = await plan(db.config, m, PG);
    expect(p.steps.map((s) => s.sql).sort()).toEqual([
      'alter index "public"."idx_old_active" rename to "things_active_idx"',
      'alter table "public"."things" rename constraint "old_check" to "things_status_check"',
    ]);
    await apply(db.config, p);
    expect(stepsOf(await plan(db.config, m, PG))).toEqual([]);
  });

  it("drops a duplicate index concurrently after everything else, and rebuilds an INVALID leftover", async () => {
    const db = await fresh();
    const m = expressionsModel();
    await converge(db, m);
    await exec(db, `create index idx_dup on public.things (customer_id, owner_id)`);
    // An index left INVALID, as an interrupted CREATE INDEX CONCURRENTLY leaves it.
    await exec(db, `update pg_index set indisvalid = false where indexrelid = 'public.things_active_idx'::regclass`);
    const p = await plan(db.config, m, PG);
    const sqls = p.steps.map((s) => s.sql);
    expect(sqls).toContain('drop index concurrently if exists "public"."idx_dup"');
    expect(sqls.indexOf('drop index concurrently if exists "public"."things_active_idx"')).toBeLessThan(sqls.findIndex((s) => s.startsWith('create index concurrently "things_active_idx"')));
    expect(p.steps[p.steps.length - 1].sql).toBe('drop index concurrently if exists "public"."idx_dup"');
    await apply(db.config, p);
    expect(stepsOf(await plan(db.config, m, PG))).toEqual([]);
  });

  it("rejects SQL that PostgreSQL refuses, naming the declaration, before anything runs", async () => {
    const db = await fresh();
    const bad = withPolicyUsing(expressionsModel(), "custmer_id = (select auth.uid())");
    const err = await plan(db.config, bad, PG).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelExpressionError);
    expect((err as Error).message).toContain('policy things_select on public.things: column "custmer_id" does not exist');
    const m = expressionsModel();
    const badCheck: SchemaModel = {
      ...m,
      tables: m.tables.map((t) => (t.name !== "things" ? t : { ...t, checks: [{ name: "things_qty_check", expression: { sql: "qty > 0" } }], columns: t.columns.map((c) => (c.name === "meta" ? { ...c, default: { sql: "'{'::jsonb" } } : c)) })),
    };
    const err2 = (await plan(db.config, badCheck, PG).catch((e: unknown) => e)) as ModelExpressionError;
    expect(err2.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^check things_qty_check on public\.things: column "qty" does not exist/), expect.stringMatching(/^default of column meta on public\.things: invalid input syntax for type json/)]),
    );
    const c = await db.client();
    expect((await c.query("select count(*)::int as n from pg_class where relnamespace = 'public'::regnamespace")).rows[0].n).toBe(0);
  });

  it("rejects a policy naming a declared table with its schema, which would never compare equal", async () => {
    const db = await fresh();
    await converge(db, expressionsModel());
    const qualified = withPolicyUsing(expressionsModel(), "exists (select 1 from public.owners o where o.id = owner_id)");
    const err = (await plan(db.config, qualified, PG).catch((e: unknown) => e)) as ModelExpressionError;
    expect(err.problems).toEqual(["policy things_select on public.things: refers to public.owners with its schema; write owners unqualified so the declared table is meant"]);
  });
});
