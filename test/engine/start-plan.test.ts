/**
 * startPlan: the catalog read starts before the model exists, and the plan it gives is
 * the plan `plan()` gives.
 */
import { describe, expect, it } from "vitest";
import { plan, startPlan } from "../../schema/engine";
import { pgServers } from "../support/db";
import { converge, exec, model, PG, preparedDatabases, tenantTable } from "./support";

describe.each(pgServers())("startPlan on $name", (server) => {
  const fresh = preparedDatabases(server, "start");

  it("gives the plan plan() gives, drift included, when the model manages the schemas it was started with", async () => {
    const db = await fresh();
    const m = model([tenantTable("orders"), tenantTable("invoices")]);
    await converge(db, m);
    // Drift: a policy loosened by hand, and a declared table dropped.
    await exec(db, "alter policy orders_select on public.orders using (true); drop table public.invoices");
    const started = await startPlan(db.config, ["public"]);
    const early = await started.plan(m, PG);
    const late = await plan(db.config, m, PG);
    expect(early).toEqual(late);
    expect(early.steps.length).toBeGreaterThan(0);
    expect(early.drift.some((d) => d.object === "policy orders_select on public.orders" && d.security)).toBe(true);
  });

  it("reads the catalog again when the model manages other schemas than the ones it was started with", async () => {
    const db = await fresh();
    const m = model([tenantTable("orders")]);
    await converge(db, m);
    await exec(db, "create schema other");
    const started = await startPlan(db.config, ["other"]);
    const p = await started.plan(m, PG);
    expect(p).toEqual(await plan(db.config, m, PG));
    expect(p.steps).toEqual([]);
  });

  it("refuses a second use, and cancel() closes without planning", async () => {
    const db = await fresh();
    const started = await startPlan(db.config, ["public"]);
    await started.cancel();
    await expect(started.plan(model([]), PG)).rejects.toThrow(/may be called once/);
  });

  it("rejects with the connection's error when the database cannot be reached", async () => {
    await expect(startPlan({ host: "127.0.0.1", port: 1, user: "postgres", database: "nope", connectionTimeoutMillis: 2000 }, ["public"])).rejects.toThrow(/ECONNREFUSED|connect/);
  });

  it("reports a bad declared expression as plan() does, with the catalog read already under way", async () => {
    const db = await fresh();
    const bad = tenantTable("orders", { checks: [{ name: "orders_bad", expression: { sql: "no_such_column > 0" } }] });
    const started = await startPlan(db.config, ["public"]);
    await expect(started.plan(model([bad]), PG)).rejects.toThrow(/check orders_bad on public\.orders: .*no_such_column/);
  });
});
