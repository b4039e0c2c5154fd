import { describe, expect, it } from "vitest";
import { plan, renderSchemaSql } from "../../schema/engine";
import { platformSchema } from "../../schema/app";
import { pgServers } from "../support/db";
import { expressionsModel } from "./fixtures";
import { converge, exec, PG, preparedDatabases, stepsOf } from "./support";

describe.each(pgServers())("convergence on $name", (server) => {
  const fresh = preparedDatabases(server);

  it("creates the platform schema from empty, and a second plan is empty", async () => {
    const db = await fresh();
    const first = await converge(db, platformSchema);
    expect(first.steps.length).toBeGreaterThan(50);
    expect(first.drift).toEqual([]);
    const second = await plan(db.config, platformSchema, PG);
    expect(stepsOf(second)).toEqual([]);
    expect(second.drift).toEqual([]);
    expect(second.blocked).toEqual([]);
  });

  it("converges expressions PostgreSQL rewrites (IN-lists, auth.uid(), casts, predicates, SET NULL (col))", async () => {
    const db = await fresh();
    const m = expressionsModel();
    const first = await converge(db, m);
    // New tables come after the tables they reference.
    const created = first.steps.filter((s) => s.sql.startsWith("create table")).map((s) => s.table);
    expect(created).toEqual(["public.owners", "public.things"]);
    const second = await plan(db.config, m, PG);
    expect(stepsOf(second)).toEqual([]);
    expect(second.drift).toEqual([]);
  });

  it("renders the whole schema as SQL that builds what plan() would build", async () => {
    const db = await fresh();
    const sqlText = renderSchemaSql(platformSchema);
    expect(sqlText).toContain("create table \"public\".\"tasks\"");
    await exec(db, sqlText);
    const after = await plan(db.config, platformSchema, PG);
    expect(stepsOf(after)).toEqual([]);
  });

  it("plans one table at a time, leaving schema-wide objects to a global plan", async () => {
    const db = await fresh();
    const m = expressionsModel();
    await converge(db, m, { tables: [], includeGlobal: true });
    const owners = await plan(db.config, m, { ...PG, tables: ["public.owners"] });
    expect(new Set(owners.steps.map((s) => s.table))).toEqual(new Set(["public.owners"]));
    expect(owners.scope).toEqual(["public.owners"]);
    await converge(db, m, { tables: ["public.owners"] });
    await converge(db, m, { tables: ["public.things"] });
    expect(stepsOf(await plan(db.config, m, PG))).toEqual([]);
  });
});
