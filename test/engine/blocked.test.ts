import { afterAll, describe, expect, it } from "vitest";
import { apply, plan } from "../../schema/engine";
import type { ForeignKeyDecl, TableDecl } from "../../schema/model/types";
import { createTestDatabase, pgServers, type TestDatabase } from "../support/db";
import { col, converge, exec, model, PG, prepare, stepsOf, tenantTable } from "./support";

const A = "aaaaaaaa-0000-0000-0000-000000000000";
const B = "bbbbbbbb-0000-0000-0000-000000000000";

const owners = tenantTable("owners", { uniques: [{ name: "owners_customer_id_id_key", columns: ["customer_id", "id"] }] });
const sameTenant: ForeignKeyDecl = { name: "things_owner_tenant_fkey", columns: ["customer_id", "owner_id"], references: { schema: "public", table: "owners", columns: ["customer_id", "id"] }, onDelete: "cascade" };
const things = (fks: readonly ForeignKeyDecl[]): TableDecl =>
  tenantTable("things", {
    columns: [col("owner_id", "uuid")],
    foreignKeys: fks,
    indexes: [{ name: "things_customer_id_owner_id_idx", columns: ["customer_id", "owner_id"], method: "btree", unique: false }],
  });

describe.each(pgServers())("constraints over rows that break them on $name", (server) => {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });

  it("adds a foreign key NOT VALID, lists the offending rows, does not re-plan it, and validates once rows comply", async () => {
    const db = await createTestDatabase(server, "eng");
    dbs.push(db);
    await prepare(db);
    await converge(db, model([owners, things([])]));
    // A legacy single-column key the new same-tenant key supersedes.
    await exec(
      db,
      `insert into public.owners (id, customer_id) values ('${A}', '${A}');
       insert into public.things (id, customer_id, owner_id) values
         ('00000000-0000-0000-0000-000000000001', '${A}', '${A}'),
         ('00000000-0000-0000-0000-000000000002', '${B}', '${A}'),
         ('00000000-0000-0000-0000-000000000003', '${A}', '${B}');
       alter table public.things add constraint things_owner_id_fkey foreign key (owner_id) references public.owners (id) on delete set null not valid;`,
    );
    const target = model([owners, things([sameTenant])]);
    const p = await plan(db.config, target, PG);
    expect(p.blocked).toMatchObject([{ table: "public.things", constraint: "things_owner_tenant_fkey", rowCount: 2, rows: ["00000000-0000-0000-0000-000000000002", "00000000-0000-0000-0000-000000000003"] }]);
    expect(p.steps.map((s) => s.sql)).toEqual([
      'alter table "public"."things" add constraint "things_owner_tenant_fkey" foreign key ("customer_id", "owner_id") references "public"."owners" ("customer_id", "id") on delete cascade not valid',
    ]);
    expect(p.kept.map((k) => k.object)).toContain("constraint things_owner_id_fkey on public.things");
    await apply(db.config, p);

    const again = await plan(db.config, target, PG);
    expect(stepsOf(again)).toEqual([]);
    expect(again.blocked.map((b) => b.constraint)).toEqual(["things_owner_tenant_fkey"]);
    const c = await db.client();
    expect((await c.query("select count(*)::int as n from public.things")).rows[0].n).toBe(3);

    // The rows are fixed by people, not by the engine; then the key validates and the old one goes.
    await exec(db, `update public.things set owner_id = null where id <> '00000000-0000-0000-0000-000000000001'`);
    const fixed = await plan(db.config, target, PG);
    expect(fixed.blocked).toEqual([]);
    const validate = fixed.steps.find((s) => s.action === "validate");
    expect(validate).toMatchObject({ transactional: false, lockMode: "SHARE UPDATE EXCLUSIVE", sql: 'alter table "public"."things" validate constraint "things_owner_tenant_fkey"' });
    expect(validate?.precondition?.sql).toContain("limit 100");
    const dropOld = fixed.steps.find((s) => s.sql.includes('drop constraint if exists "things_owner_id_fkey"'));
    expect(fixed.steps.indexOf(dropOld!)).toBeGreaterThan(fixed.steps.indexOf(validate!));
    expect(dropOld?.precondition?.description).toBe("things_owner_tenant_fkey is valid");
    await apply(db.config, fixed);
    expect(stepsOf(await plan(db.config, target, PG))).toEqual([]);
  });

  it("validates an existing NOT VALID check that rows now satisfy, and blocks one they break", async () => {
    const db = await createTestDatabase(server, "eng");
    dbs.push(db);
    await prepare(db);
    const t = tenantTable("items", { columns: [col("qty", "integer")], checks: [{ name: "items_qty_check", expression: { sql: "qty >= 0" } }, { name: "items_qty_small", expression: { sql: "qty < 10" } }] });
    await converge(db, model([tenantTable("items", { columns: [col("qty", "integer")] })]));
    await exec(db, `insert into public.items (customer_id, qty) values ('${A}', 5), ('${A}', 50), ('${A}', null)`);
    const p = await plan(db.config, model([t]), PG);
    expect(p.blocked).toMatchObject([{ constraint: "items_qty_small", rowCount: 1 }]);
    expect(p.steps.filter((s) => s.action === "validate").map((s) => s.sql)).toEqual(['alter table "public"."items" validate constraint "items_qty_check"']);
    await apply(db.config, p);
    const again = await plan(db.config, model([t]), PG);
    expect(stepsOf(again)).toEqual([]);
    expect(again.blocked.map((b) => b.constraint)).toEqual(["items_qty_small"]);
  });
});
