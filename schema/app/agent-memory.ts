import { foreignKey, grant, index, jsonb, sql, table, text, timestamptz, uuid } from "../model";
import { backendGrant, emptyJson, tenantPolicies } from "./common";

/**
 * What agents remember per customer (optional in today's databases). Today's policy
 * keys on the session setting `app.current_customer_id`, which anyone could set
 * through `set_customer_context(uuid)`; now it keys on the JWT like every other table.
 * The new foreign key to customers is added NOT VALID and validated only when every
 * row has its customer.
 */
export const agentMemory = table("public.agent_memory", {
  tenancy: { column: "customer_id" },
  columns: {
    id: uuid().primaryKey().defaultRandom(),
    customer_id: uuid().notNull(),
    agent_name: text().notNull(),
    content: text().notNull(),
    metadata: jsonb().default(emptyJson),
    type: text().default(sql`'conversation'`),
    session_id: text(),
    timestamp: timestamptz().defaultNow(),
    created_at: timestamptz().defaultNow(),
    updated_at: timestamptz().defaultNow(),
  },
  foreignKeys: [foreignKey("agent_memory_customer_id_fkey").columns("customer_id").references("public.customers", "id").onDelete("cascade")],
  // Memory is read per customer and agent; the index also serves the policies and the key.
  indexes: [index("idx_agent_memory_customer_id_agent_name").on("customer_id", "agent_name")],
  rls: { enabled: true, forced: true },
  policies: tenantPolicies("agent_memory", "customer_id", ["select", "insert", "update", "delete"]),
  grants: [
    grant("authenticated").select(),
    grant("authenticated").insert("customer_id", "agent_name", "content", "metadata", "type", "session_id", "timestamp"),
    grant("authenticated").update("content", "metadata", "type", "session_id", "updated_at"),
    grant("authenticated").delete(),
    backendGrant,
  ],
});
