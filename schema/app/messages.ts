import { boolean, check, foreignKey, grant, index, jsonb, sql, table, text, timestamptz, unique, uuid, varchar } from "../model";
import { backendGrant, emptyJson, tenantPolicies } from "./common";

/**
 * Conversations between a customer and its agents. Every reference (the agent the
 * thread is with, sender, recipient, the message replied to) is a composite
 * `(customer_id, ...)` key: a message cannot reply to, or be addressed to, another
 * tenant's objects. Drift column `message_type` is not declared: kept and reported.
 */
export const messages = table("public.messages", {
  tenancy: { column: "customer_id" },
  columns: {
    id: uuid().primaryKey().defaultRandom(),
    customer_id: uuid().notNull(),
    customer_ve_id: uuid(),
    from_type: varchar(50).notNull(),
    from_ve_id: uuid(),
    to_ve_id: uuid(),
    subject: varchar(255),
    content: text().notNull(),
    thread_id: uuid(),
    replied_to_id: uuid(),
    read: boolean().default(sql`false`),
    created_at: timestamptz().defaultNow(),
    metadata: jsonb().default(emptyJson),
  },
  uniques: [unique("messages_customer_id_id_key").on("customer_id", "id")],
  foreignKeys: [
    foreignKey("messages_customer_id_fkey").columns("customer_id").references("public.customers", "id").onDelete("cascade"),
    foreignKey("messages_customer_ve_id_tenant_fkey")
      .columns("customer_id", "customer_ve_id")
      .references("public.customer_ves", "customer_id", "id")
      .onDelete("cascade"),
    foreignKey("messages_from_ve_id_tenant_fkey")
      .columns("customer_id", "from_ve_id")
      .references("public.customer_ves", "customer_id", "id")
      .onDelete("set null", ["from_ve_id"]),
    foreignKey("messages_to_ve_id_tenant_fkey")
      .columns("customer_id", "to_ve_id")
      .references("public.customer_ves", "customer_id", "id")
      .onDelete("set null", ["to_ve_id"]),
    foreignKey("messages_replied_to_id_tenant_fkey")
      .columns("customer_id", "replied_to_id")
      .references("public.messages", "customer_id", "id")
      .onDelete("set null", ["replied_to_id"]),
  ],
  checks: [check("messages_from_type_check", sql`from_type in ('customer', 've', 'system')`)],
  indexes: [
    index("idx_messages_customer_id").on("customer_id"),
    index("idx_messages_customer_ve_id").on("customer_ve_id"),
    index("idx_messages_thread_id").on("thread_id"),
    index("idx_messages_created_at").on("created_at"),
    // One index per composite key. The drift index idx_messages_to_ve_id is
    // superseded by idx_messages_customer_id_to_ve_id and not declared.
    index("idx_messages_customer_id_customer_ve_id").on("customer_id", "customer_ve_id"),
    index("idx_messages_customer_id_from_ve_id").on("customer_id", "from_ve_id"),
    index("idx_messages_customer_id_to_ve_id").on("customer_id", "to_ve_id"),
    index("idx_messages_customer_id_replied_to_id").on("customer_id", "replied_to_id"),
  ],
  rls: { enabled: true, forced: true },
  // As today: customers read and send; messages are not edited or deleted by them.
  policies: tenantPolicies("messages", "customer_id", ["select", "insert"]),
  grants: [
    grant("authenticated").select(),
    grant("authenticated").insert(
      "customer_id", "customer_ve_id", "from_type", "from_ve_id", "to_ve_id", "subject", "content", "thread_id", "replied_to_id", "metadata",
    ),
    backendGrant,
  ],
});
