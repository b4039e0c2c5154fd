/**
 * The plan benchmark's own parts, at 10 tables: the synthetic model validates, the
 * drift applies to database A, the engine's rendering and the bench's independent DDL
 * build the same catalog, and the correctness checker catches an output that leaves
 * a drift item out (so the benchmark's "found" column can be trusted).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkOutput } from "../../bench/plan/check";
import { catalogLines, lineDiff } from "../../bench/plan/converge";
import { createDeclaredDatabase, createSizeDatabases, databaseUrl, dropDatabase, type SizeDatabases } from "../../bench/plan/databases";
import { DRIFT_KINDS, driftItems, type DriftItem } from "../../bench/plan/drift";
import { syntheticModel } from "../../bench/plan/synthetic";
import { pgServers } from "../support/db";

const N = 10;

/** A statement that fixes `d`, in the shape a diff tool would print it. */
function fixFor(d: DriftItem): string {
  const q = `"public"."${d.table}"`;
  switch (d.kind) {
    case "policy-using":
    case "policy-roles":
      return `alter policy "${d.object}" on ${q} to authenticated using (customer_id = (select auth.uid()));`;
    case "policy-missing":
      return `create policy "${d.object}" on ${q} for delete to authenticated using (customer_id = (select auth.uid()));`;
    case "index-missing":
      return `create index "${d.object}" on ${q} (customer_id, created_at);`;
    case "fk-missing":
      return `alter table ${q} add constraint "${d.object}" foreign key (customer_id) references public.customers (id) on delete cascade;`;
    case "grant-added":
      return `revoke select on table ${q} from "anon";`;
    case "force-rls-off":
      return `alter table ${q} force row level security;`;
  }
}

describe("plan benchmark synthetic schema", () => {
  const server = pgServers()[0];
  const prefix = `ve_bench_t_${randomBytes(4).toString("hex")}`;
  let dbs: SizeDatabases;

  beforeAll(async () => {
    dbs = await createSizeDatabases(server.url, prefix, N);
  });
  afterAll(async () => {
    for (const name of [`${prefix}_${N}_a`, `${prefix}_${N}_b`, `${prefix}_${N}_ref`]) await dropDatabase(server.url, name);
  });

  it("validates as a model of N tenant tables shaped like the product's", () => {
    const model = syntheticModel(N);
    expect(model.tables.map((t) => t.name)).toEqual(["customers", ...Array.from({ length: N }, (_, i) => `t_${String(i + 1).padStart(4, "0")}`)]);
    for (const t of model.tables.slice(1)) {
      expect(t.rls).toEqual({ enabled: true, forced: true });
      expect(t.policies.map((p) => p.command)).toEqual(["select", "insert", "update", "delete"]);
      expect(t.policies.every((p) => p.roles.join() === "authenticated")).toBe(true);
      expect(t.indexes).toHaveLength(2);
      expect(t.foreignKeys.map((fk) => fk.references.table)).toEqual(["customers"]);
    }
  });

  it("spreads one drift item of every kind over distinct tables", () => {
    const items = driftItems(N);
    expect(new Set(items.map((d) => d.kind))).toEqual(new Set(DRIFT_KINDS));
    expect(new Set(items.map((d) => d.table)).size).toBe(items.length);
    expect(driftItems(1000)).toHaveLength(10);
  });

  it("applies the drift to A only, and every item shows in A's catalog", () => {
    const a = catalogLines(databaseUrl(server.url, dbs.a));
    const b = catalogLines(databaseUrl(server.url, dbs.b));
    const { extra, missing } = lineDiff(a, b);
    const changed = [...extra, ...missing].join("\n");
    for (const d of dbs.drift) expect(changed, `${d.kind} ${d.object}`).toMatch(new RegExp(`\\b${d.object}\\b`));
  });

  it("builds the same catalog from the engine's renderSchemaSql as from the bench's own DDL", async () => {
    await createDeclaredDatabase(server.url, `${prefix}_${N}_ref`, N, "bench");
    const ref = catalogLines(databaseUrl(server.url, `${prefix}_${N}_ref`));
    expect(lineDiff(catalogLines(databaseUrl(server.url, dbs.b)), ref)).toEqual({ extra: [], missing: [] });
  });

  it("flags a tool output that leaves a drift item out", () => {
    const items = dbs.drift;
    const complete = items.map(fixFor).join("\n");
    expect(checkOutput(complete, items).missed).toEqual([]);
    for (const left of items) {
      const partial = items.filter((d) => d !== left).map(fixFor).join("\n\n");
      expect(checkOutput(partial, items).missed.map((d) => d.object)).toEqual([left.object]);
    }
    // Naming the object is not enough: "no force" is the drift, not its fix.
    const force = items.find((d) => d.kind === "force-rls-off") as DriftItem;
    expect(checkOutput(`alter table "public"."${force.table}" no force row level security;`, [force]).missed).toEqual([force]);
    // Work on tables without drift is reported as noise.
    expect(checkOutput(`alter table public.t_0010 enable row level security;`, items).noise).toHaveLength(1);
  });
});
