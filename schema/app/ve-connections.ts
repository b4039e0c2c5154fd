import { check, foreignKey, grant, index, sql, table, timestamptz, uuid, varchar } from "../model";
import { backendGrant, tenantPolicies } from "./common";

/**
 * The org chart between a customer's agents. Today it has no RLS and no foreign keys
 * (rows may point at agents that no longer exist); now both ends are composite
 * same-tenant keys, so a customer can only link its own agents. Rows that break
 * them are reported by the engine, never deleted.
 */
export const veConnections = table("public.ve_connections", {
  tenancy: { column: "customer_id" },
  columns: {
    id: uuid().primaryKey().defaultRandom(),
    customer_id: uuid().notNull(),
    from_ve_id: uuid().notNull(),
    to_ve_id: uuid().notNull(),
    connection_type: varchar(50),
    created_at: timestamptz().defaultNow(),
  },
  foreignKeys: [
    foreignKey("ve_connections_customer_id_fkey").columns("customer_id").references("public.customers", "id").onDelete("cascade"),
    // A link means nothing without both agents: CASCADE, as the columns are NOT NULL.
    foreignKey("ve_connections_from_ve_id_tenant_fkey")
      .columns("customer_id", "from_ve_id")
      .references("public.customer_ves", "customer_id", "id")
      .onDelete("cascade"),
    foreignKey("ve_connections_to_ve_id_tenant_fkey")
      .columns("customer_id", "to_ve_id")
      .references("public.customer_ves", "customer_id", "id")
      .onDelete("cascade"),
  ],
  checks: [check("ve_connections_connection_type_check", sql`connection_type in ('vertical', 'horizontal')`)],
  indexes: [
    // Leads with customer_id, so it also serves the policies and the customer key.
    index("idx_ve_connections_customer_id_from_ve_id").on("customer_id", "from_ve_id"),
    index("idx_ve_connections_customer_id_to_ve_id").on("customer_id", "to_ve_id"),
  ],
  rls: { enabled: true, forced: true },
  policies: tenantPolicies("ve_connections", "customer_id", ["select", "insert", "update", "delete"]),
  grants: [
    grant("authenticated").select(),
    grant("authenticated").insert("customer_id", "from_ve_id", "to_ve_id", "connection_type"),
    grant("authenticated").update("from_ve_id", "to_ve_id", "connection_type"),
    grant("authenticated").delete(),
    backendGrant,
  ],
});
