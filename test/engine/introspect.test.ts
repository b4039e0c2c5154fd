import { Client } from "pg";
import { describe, expect, it } from "vitest";
import { catalogFingerprint, currentFingerprint, introspect, plan, renderPlan } from "../../schema/engine";
import { pgServers } from "../support/db";
import { expressionsModel } from "./fixtures";
import { converge, exec, model, PG, preparedDatabases, tenantTable } from "./support";

/** Counts the statements sent through any pg Client while `fn` runs. */
async function countQueries(fn: () => Promise<unknown>): Promise<number> {
  const original = Client.prototype.query;
  let n = 0;
  const counting = function (this: Client, ...args: unknown[]): unknown {
    n++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  Client.prototype.query = counting as typeof Client.prototype.query;
  try {
    await fn();
  } finally {
    Client.prototype.query = original;
  }
  return n;
}

const manyTables = (n: number) => model(Array.from({ length: n }, (_, i) => tenantTable(`t${String(i).padStart(3, "0")}`)));

describe.each(pgServers())("introspection on $name", (server) => {
  const fresh = preparedDatabases(server);

  it("reads 5 or 50 tables in the same number of queries, and plans them in the same number too", async () => {
    const small = await fresh();
    const large = await fresh();
    await converge(small, manyTables(5));
    await converge(large, manyTables(50));
    const q5 = await countQueries(() => introspect(small.config, ["public"]));
    const q50 = await countQueries(() => introspect(large.config, ["public"]));
    expect(q50).toBe(q5);
    expect(q5).toBeLessThan(20);
    const catalog = await introspect(large.config, ["public"]);
    expect(catalog.tables).toHaveLength(50);
    const t = catalog.tables[0];
    expect(t.rlsEnabled && t.rlsForced).toBe(true);
    expect(t.policies.map((p) => p.using ?? p.withCheck)).toContain("(( SELECT auth.uid() AS uid) = customer_id)");
    expect(t.privileges).toContainEqual({ grantee: "authenticated", privilege: "select", grantable: false });
    const p5 = await countQueries(() => plan(small.config, manyTables(5), PG));
    const p50 = await countQueries(() => plan(large.config, manyTables(50), PG));
    expect(p50).toBe(p5);
  });

  it("reads constraints, indexes, triggers and functions as structured facts", async () => {
    const db = await fresh();
    await converge(db, expressionsModel());
    const c = await introspect(db.config, ["public"]);
    const things = c.tables.find((t) => t.name === "things");
    const fk = things?.constraints.find((k) => k.type === "f");
    expect(fk?.foreignKey).toMatchObject({ refTable: "owners", refColumns: ["customer_id", "id"], onDelete: "set null", setColumns: ["owner_id"] });
    expect(things?.indexes.find((i) => i.name === "things_active_idx")).toMatchObject({ valid: true, method: "btree", columns: ["created_at"], predicate: "((status)::text = 'active'::text)" });
    expect(things?.indexes.find((i) => i.name === "things_pkey")?.constraint).toBe("things_pkey");
    expect(things?.columns.find((x) => x.name === "status")?.privileges).toContainEqual({ grantee: "authenticated", privilege: "update", grantable: false });
    expect(things?.triggers[0]).toMatchObject({ name: "things_touch", timing: "before", events: ["update"], forEach: "row", functionName: "touch_updated_at" });
    const fn = c.functions.find((f) => f.name === "touch_updated_at");
    expect(fn).toMatchObject({ securityDefiner: false, config: ['search_path=""'], volatility: "volatile" });
    expect(fn?.privileges.some((p) => p.grantee === "PUBLIC")).toBe(false);
  });

  it("orders tables as collation \"C\" does and leaves absent facts out rather than null", async () => {
    const db = await fresh();
    // Created out of order, with names whose order differs between collations (case, _, non-ASCII, astral).
    await exec(db, `create table public."zeta" (a int); create table public."Zeta" (a int primary key); create table public."_x" (a int);
      create table public."äx" (a int); create table public."😀" (a int); create table public."ｚ" (a int); create table public."a" (a int default 1)`);
    const c = await introspect(db.config, ["public"]);
    const client = await db.client();
    const expected = (await client.query<{ n: string }>(`select relname::text as n from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r' order by relname::text collate "C"`)).rows.map((r) => r.n);
    expect(c.tables.map((t) => t.name)).toEqual(expected);
    const zeta = c.tables.find((t) => t.name === "zeta");
    expect(zeta && "comment" in zeta).toBe(false);
    expect(zeta?.columns[0] && "default" in zeta.columns[0]).toBe(false);
    expect(c.tables.find((t) => t.name === "a")?.columns[0].default).toBe("1");
    const pkey = c.tables.find((t) => t.name === "Zeta")?.constraints[0];
    expect(pkey).toMatchObject({ type: "p", columns: ["a"], index: "Zeta_pkey" });
    expect(pkey && ("check" in pkey || "foreignKey" in pkey)).toBe(false);
  });

  it("fingerprints the catalog stably, and a hand change makes the plan stale", async () => {
    const db = await fresh();
    const m = expressionsModel();
    await converge(db, m);
    const p = await plan(db.config, m, PG);
    expect(await currentFingerprint(db.config, p)).toBe(p.fingerprint);
    const a = catalogFingerprint(await introspect(db.config, ["public"]), ["public.owners"]);
    await exec(db, "alter policy things_select on public.things using (true)");
    expect(await currentFingerprint(db.config, p)).not.toBe(p.fingerprint);
    // Only what the scope covers counts.
    expect(catalogFingerprint(await introspect(db.config, ["public"]), ["public.owners"])).toBe(a);
  });

  it("makes a plan stale on hand changes the diff does not look at, though it reads no definitions", async () => {
    const db = await fresh();
    const m = model([tenantTable("orders")]);
    await converge(db, m);
    const changes = [
      "alter index public.orders_customer_id_idx set (fillfactor = 70)",
      "alter table public.orders add constraint orders_extra_key unique (customer_id, id) deferrable",
      "alter table public.orders drop constraint orders_extra_key, add constraint orders_extra_key unique (customer_id, id) deferrable initially deferred",
    ];
    for (const change of changes) {
      const p = await plan(db.config, m, PG);
      expect(await currentFingerprint(db.config, p)).toBe(p.fingerprint);
      await exec(db, change);
      expect(await currentFingerprint(db.config, p), change).not.toBe(p.fingerprint);
    }
    // Drift still shows the definitions, read for the drifted table only.
    const p = await plan(db.config, m, PG);
    expect(p.drift).toContainEqual(expect.objectContaining({ object: "constraint orders_extra_key on public.orders", actual: "UNIQUE (customer_id, id) DEFERRABLE INITIALLY DEFERRED" }));
  });
});

describe.each(pgServers())("planning as a role that cannot see every row, on $name", (server) => {
  const fresh = preparedDatabases(server, "reader");

  it("warns that tenant rows are hidden from it, and a BYPASSRLS role gets no warning", async () => {
    const db = await fresh();
    const m = model([tenantTable("things")]);
    const asApplier = await converge(db, m);
    expect(asApplier.warnings ?? []).toEqual([]);
    const role = `reader_${db.name}`;
    await exec(db, `create role ${role} login password 'pw'; grant pg_read_all_data to ${role}`);
    try {
      const url = new URL(db.url);
      url.username = role;
      url.password = "pw";
      const asReader = await plan({ connectionString: url.toString() }, m, PG);
      expect(asReader.warnings?.join(" ")).toMatch(new RegExp(`planned as ${role}, which has neither SUPERUSER nor BYPASSRLS`));
      expect(renderPlan(asReader, "markdown")).toContain("warning: planned as");
    } finally {
      await exec(db, `drop owned by ${role}; drop role ${role}`);
    }
  });
});
