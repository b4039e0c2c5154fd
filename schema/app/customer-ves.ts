import { foreignKey, grant, index, sql, table, text, timestamptz, unique, uuid, varchar } from "../model";
import { backendGrant, tenantPolicies } from "./common";

/**
 * The agents a customer has hired. `(customer_id, id)` is unique so that other tenant
 * tables can reference a hired agent together with its owner, which makes a
 * cross-tenant reference impossible (the composite key must match both columns).
 */
export const customerVes = table("public.customer_ves", {
  tenancy: { column: "customer_id" },
  columns: {
    id: uuid().primaryKey().defaultRandom(),
    customer_id: uuid().notNull(),
    marketplace_agent_id: uuid().notNull(),
    agent_name: varchar(255),
    agent_namespace: varchar(255),
    persona_name: varchar(255).notNull(),
    persona_email: varchar(255),
    agent_gateway_route_id: varchar(255),
    // Was `timestamp without time zone`; values are read as UTC.
    hired_at: timestamptz().notNull().defaultNow(),
    status: varchar(50).default(sql`'active'`),
    agent_type: text(),
    agent_gateway_route: text(),
  },
  uniques: [
    unique("customer_ves_customer_id_marketplace_agent_id_key").on("customer_id", "marketplace_agent_id"),
    unique("customer_ves_customer_id_id_key").on("customer_id", "id"),
  ],
  foreignKeys: [
    foreignKey("customer_ves_customer_id_fkey").columns("customer_id").references("public.customers", "id").onDelete("cascade"),
    foreignKey("customer_ves_marketplace_agent_id_fkey").columns("marketplace_agent_id").references("public.virtual_employees", "id").onDelete("cascade"),
  ],
  indexes: [
    index("idx_customer_ves_customer_id").on("customer_id"),
    index("idx_customer_ves_marketplace_agent_id").on("marketplace_agent_id"),
    index("idx_customer_ves_status").on("status"),
    // Drift index kept: the gateway looks shared agents up by type within a customer.
    index("idx_customer_ves_agent_type").on("agent_type", "customer_id"),
  ],
  rls: { enabled: true, forced: true },
  policies: tenantPolicies("customer_ves", "customer_id", ["select", "insert", "update", "delete"]),
  grants: [
    grant("authenticated").select(),
    // Hiring: the customer picks the agent and names it; deployment fields
    // (namespace, gateway route, agent type) are the backend's.
    grant("authenticated").insert("customer_id", "marketplace_agent_id", "persona_name", "persona_email"),
    grant("authenticated").update("persona_name", "persona_email", "status"),
    grant("authenticated").delete(),
    backendGrant,
  ],
});
