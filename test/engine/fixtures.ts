/**
 * A model exercising the expressions PostgreSQL rewrites when it stores them: varchar
 * IN-lists, `(select auth.uid())`, casts in defaults, partial index predicates, a
 * policy whose subquery reads another table, column grants, a trigger function and
 * `ON DELETE SET NULL (col)`.
 */
import type { FunctionDecl, SchemaModel } from "../../schema/model/types";
import { col, model, ownRows, tenantTable } from "./support";

export const touch: FunctionDecl = {
  schema: "public",
  name: "touch_updated_at",
  args: [],
  returns: "trigger",
  language: "plpgsql",
  volatility: "volatile",
  securityDefiner: false,
  searchPath: "",
  body: "\nbegin\n  new.updated_at := now();\n  return new;\nend\n",
  executableBy: [],
};

export function expressionsModel(): SchemaModel {
  const owners = tenantTable("owners", {
    columns: [col("label", "character varying(100)", true, "'none'")],
    uniques: [{ name: "owners_customer_id_id_key", columns: ["customer_id", "id"] }],
  });
  const things = tenantTable("things", {
    columns: [
      col("owner_id", "uuid"),
      col("status", "character varying(50)", false, "'active'"),
      col("tags", "text[]", false, "'{}'"),
      col("meta", "jsonb", false, "'{}'::jsonb"),
      col("created_at", "timestamp with time zone", true, "now()"),
      col("updated_at", "timestamp with time zone", false, "now()"),
    ],
    foreignKeys: [
      { name: "things_customer_id_owner_id_fkey", columns: ["customer_id", "owner_id"], references: { schema: "public", table: "owners", columns: ["customer_id", "id"] }, onDelete: "set null", onDeleteSetColumns: ["owner_id"] },
    ],
    checks: [{ name: "things_status_check", expression: { sql: "status in ('active', 'archived')" } }],
    indexes: [
      { name: "things_customer_id_owner_id_idx", columns: ["customer_id", "owner_id"], method: "btree", unique: false },
      { name: "things_active_idx", columns: ["created_at"], method: "btree", unique: false, where: { sql: "status = 'active'" } },
      { name: "things_tags_idx", columns: ["tags"], method: "gin", unique: false },
    ],
    policies: [
      {
        name: "things_select",
        command: "select",
        roles: ["authenticated"],
        permissive: true,
        using: { sql: "customer_id = (select auth.uid()) and (owner_id is null or exists (select 1 from owners o where o.id = owner_id and o.customer_id = things.customer_id))" },
      },
      ownRows("things", "insert"),
      ownRows("things", "update"),
    ],
    grants: [
      { role: "authenticated", privileges: ["select", "insert"] },
      { role: "authenticated", privileges: ["update"], columns: ["status", "meta"] },
      { role: "service_role", privileges: ["select", "insert", "update", "delete"] },
    ],
    triggers: [{ name: "things_touch", timing: "before", events: ["update"], forEach: "row", function: { schema: "public", name: "touch_updated_at" } }],
    comment: "Things a customer owns.",
  });
  return model([things, owners], { functions: [touch] });
}
