import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { apply, plan, renderPlan } from "../../schema/engine";
import { platformSchema } from "../../schema/app";
import { createTestDatabase, pgServers, type TestDatabase } from "../support/db";
import { PG, prepare, stepsOf } from "./support";

const PRODUCTION = readFileSync(join(__dirname, "production.sql"), "utf8");

async function counts(db: TestDatabase): Promise<Record<string, number>> {
  const c = await db.client();
  const out: Record<string, number> = {};
  for (const t of ["customers", "virtual_employees", "customer_ves", "tasks", "messages", "token_usage", "ve_connections", "agent_memory"])
    out[t] = (await c.query(`select count(*)::int as n from public.${t}`)).rows[0].n;
  return out;
}

describe.each(pgServers())("taking over a production-state database on $name", (server) => {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });

  it("converges to the model without losing a row, keeps what holds data, blocks cross-tenant rows; a second plan is empty", async () => {
    const db = await createTestDatabase(server, "eng");
    dbs.push(db);
    await prepare(db);
    const c = await db.client();
    await c.query(PRODUCTION);
    const before = await counts(db);
    const hiredBefore = (await c.query("select id, hired_at::text as t from public.customer_ves order by id")).rows;

    const p = await plan(db.config, platformSchema, PG);
    expect(renderPlan(p, "text")).toContain("Drift");
    expect(p.drift.some((d) => d.security && d.object === "function public.set_customer_context(uuid)")).toBe(false);
    expect(p.steps.some((s) => s.sql === 'drop function if exists "public"."set_customer_context"(uuid)')).toBe(true);
    await apply(db.config, p);

    const after = await plan(db.config, platformSchema, PG);
    expect(stepsOf(after)).toEqual([]);
    expect(after.blocked.map((b) => `${b.table} ${b.constraint} ${b.rows.join(",")}`).sort()).toEqual([
      "public.tasks tasks_assigned_to_ve_tenant_fkey dddddddd-0000-0000-0000-000000000002",
      "public.ve_connections ve_connections_to_ve_id_tenant_fkey 99999999-0000-0000-0000-000000000001",
    ]);
    expect(after.kept.filter((k) => k.object.startsWith("column")).map((k) => k.object).sort()).toEqual([
      "column created_at on public.customer_ves",
      "column kagent_version on public.virtual_employees",
      "column message_type on public.messages",
      "column namespace on public.virtual_employees",
      "column token_billing on public.virtual_employees",
      "column updated_at on public.customer_ves",
    ]);
    // The old single-column key stays until its same-tenant replacement validates.
    expect(after.kept.map((k) => k.object)).toContain("constraint tasks_assigned_to_ve_fkey on public.tasks");

    expect(await counts(db)).toEqual(before);
    const kept = (await c.query("select kagent_version, token_billing from public.virtual_employees where name = 'Mia'")).rows[0];
    expect(kept).toEqual({ kagent_version: "v0.7", token_billing: "included" });
    const hiredAfter = (await c.query("select id, (hired_at at time zone 'UTC')::text as t from public.customer_ves order by id")).rows;
    expect(hiredAfter).toEqual(hiredBefore);
    const types = (await c.query("select data_type from information_schema.columns where table_schema = 'public' and data_type = 'timestamp without time zone'")).rows;
    expect(types).toEqual([]);
  });
});
