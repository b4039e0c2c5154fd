/**
 * Adopting an existing table whose declaration adds columns that new indexes and
 * keys are built on: the columns must exist before the concurrent builds.
 */
import { afterAll, describe, expect, it } from "vitest";
import { plan } from "../../schema/engine";
import { createTestDatabase, pgServers, type TestDatabase } from "../support/db";
import { col, converge, exec, model, PG, prepare, stepsOf, tenantTable } from "./support";

describe.each(pgServers())("adopting a table on $name", (server) => {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });

  it("adds declared columns before building the indexes and keys that use them", async () => {
    const db = await createTestDatabase(server, "adopt");
    dbs.push(db);
    await prepare(db);
    await exec(
      db,
      `create table public.agents (id uuid primary key default gen_random_uuid(), customer_id uuid not null);
       create index agents_customer_id_idx on public.agents (customer_id);
       insert into public.agents (customer_id) select gen_random_uuid() from generate_series(1, 50);`,
    );
    const table = tenantTable("agents", {
      columns: [col("department", "text"), col("code", "text")],
      uniques: [{ name: "agents_customer_id_code_key", columns: ["customer_id", "code"] }],
      indexes: [
        { name: "agents_customer_id_idx", columns: ["customer_id"], method: "btree", unique: false },
        { name: "agents_department_idx", columns: ["department"], method: "btree", unique: false },
      ],
    });
    const m = model([table]);
    const first = await converge(db, m);
    const order = first.steps.map((s) => s.id);
    const addColumn = order.findIndex((id) => id.includes("column:department"));
    const buildIndex = order.findIndex((id) => id.includes("index:agents_department_idx:create"));
    expect(addColumn).toBeGreaterThanOrEqual(0);
    expect(buildIndex).toBeGreaterThan(addColumn);
    expect(first.steps[buildIndex].sql).toContain("concurrently");
    expect(stepsOf(await plan(db.config, m, PG))).toEqual([]);
  });
});
