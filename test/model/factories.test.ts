import { describe, expect, it } from "vitest";
import {
  foreignKey, func, grant, index, jsonb, numeric, policy, sql, table, text, timestamptz, trigger, uuid, varchar, boolean, integer,
} from "../../schema/model";

describe("factories build plain declaration data", () => {
  it("table(): columns in order, types as format_type prints them, column-level PK and UNIQUE with PostgreSQL's default names", () => {
    const t = table("public.items", {
      columns: {
        id: uuid().primaryKey().defaultRandom(),
        code: varchar(20).notNull().unique(),
        price: numeric(10, 2).notNull(),
        tags: text().array().default(sql`'{}'::text[]`),
        data: jsonb(),
        active: boolean().default(sql`true`),
        n: integer(),
        at: timestamptz().defaultNow(),
      },
    });
    expect(t.schema).toBe("public");
    expect(t.name).toBe("items");
    expect(t.columns).toEqual([
      { name: "id", type: "uuid", notNull: true, default: { sql: "gen_random_uuid()" } },
      { name: "code", type: "character varying(20)", notNull: true },
      { name: "price", type: "numeric(10,2)", notNull: true },
      { name: "tags", type: "text[]", notNull: false, default: { sql: "'{}'::text[]" } },
      { name: "data", type: "jsonb", notNull: false },
      { name: "active", type: "boolean", notNull: false, default: { sql: "true" } },
      { name: "n", type: "integer", notNull: false },
      { name: "at", type: "timestamp with time zone", notNull: false, default: { sql: "now()" } },
    ]);
    expect(t.primaryKey).toEqual({ name: "items_pkey", columns: ["id"] });
    expect(t.uniques).toEqual([{ name: "items_code_key", columns: ["code"] }]);
    // Not a tenant table: RLS on, not forced, unless said otherwise.
    expect(t.rls).toEqual({ enabled: true, forced: false });
    expect(JSON.parse(JSON.stringify(t))).toEqual(t);
  });

  it("builders are immutable, so a shared builder can be reused", () => {
    const base = uuid();
    const nn = base.notNull();
    expect(base.build("a").notNull).toBe(false);
    expect(nn.build("a").notNull).toBe(true);
    const p = policy("p").for("select");
    p.to("anon");
    expect(p.build().roles).toEqual([]);
  });

  it("foreignKey(): composite key with ON DELETE SET NULL (column)", () => {
    const fk = foreignKey("tasks_assigned_to_ve_tenant_fkey")
      .columns("customer_id", "assigned_to_ve")
      .references("public.customer_ves", "customer_id", "id")
      .onDelete("set null", ["assigned_to_ve"])
      .build();
    expect(fk).toEqual({
      name: "tasks_assigned_to_ve_tenant_fkey",
      columns: ["customer_id", "assigned_to_ve"],
      references: { schema: "public", table: "customer_ves", columns: ["customer_id", "id"] },
      onDelete: "set null",
      onDeleteSetColumns: ["assigned_to_ve"],
    });
    expect(foreignKey("f").columns("a").references("t", "id").build()).toMatchObject({ references: { schema: "public", table: "t" }, onDelete: "no action" });
    expect("onDeleteSetColumns" in foreignKey("f").columns("a").references("t", "id").onDelete("set null", ["a"]).onDelete("cascade").build()).toBe(false);
  });

  it("index(), policy(), grant(), trigger(), func()", () => {
    expect(index("idx_ve_featured").on("featured").where(sql`featured = true`).build()).toEqual({
      name: "idx_ve_featured", columns: ["featured"], method: "btree", unique: false, where: { sql: "featured = true" },
    });
    expect(index("idx_ve_tags").on("tags").using("gin").build().method).toBe("gin");
    expect(policy("tasks_update").for("update").to("authenticated").using(sql`customer_id = (select auth.uid())`).withCheck(sql`customer_id = (select auth.uid())`).build()).toEqual({
      name: "tasks_update", command: "update", roles: ["authenticated"], permissive: true,
      using: { sql: "customer_id = (select auth.uid())" }, withCheck: { sql: "customer_id = (select auth.uid())" },
    });
    expect(policy("r").for("all").to("authenticated").using(sql`true`).restrictive().build().permissive).toBe(false);
    expect(grant("authenticated").update("title", "description")).toEqual({ role: "authenticated", privileges: ["update"], columns: ["title", "description"] });
    expect(grant("anon").select()).toEqual({ role: "anon", privileges: ["select"] });
    expect(grant("service_role").privileges("select", "insert")).toEqual({ role: "service_role", privileges: ["select", "insert"] });
    expect(trigger("t").before("truncate").forEach("statement").execute("public.f").build()).toEqual({
      name: "t", timing: "before", events: ["truncate"], forEach: "statement", function: { schema: "public", name: "f" },
    });
    expect(func("public.f", { returns: "trigger", language: "plpgsql", volatility: "volatile", searchPath: "", body: "begin end;" })).toEqual({
      schema: "public", name: "f", args: [], returns: "trigger", language: "plpgsql", volatility: "volatile",
      securityDefiner: false, searchPath: "", body: "begin end;", executableBy: [],
    });
  });

  it("sql``: interpolates fragments and numbers, refuses strings", () => {
    const own = sql`customer_id = (select auth.uid())`;
    expect(sql`status = 'x' and ${own} and n > ${3}`).toEqual({ sql: "status = 'x' and customer_id = (select auth.uid()) and n > 3" });
    const evil = "x'; drop table t; --";
    expect(() => sql`a = ${evil as unknown as number}`).toThrow(/strings are refused/);
  });
});
