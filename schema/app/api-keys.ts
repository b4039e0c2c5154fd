import { boolean, check, foreignKey, grant, index, jsonb, sql, table, text, timestamptz, uuid } from "../model";
import { backendGrant, emptyJson, tenantPolicies } from "./common";

/**
 * A customer's API keys (optional in today's databases). The customer manages its
 * keys but can never read `key_hash` back: SELECT is granted on every other column.
 */
export const apiKeys = table("public.api_keys", {
  tenancy: { column: "customer_id" },
  columns: {
    id: uuid().primaryKey().defaultRandom(),
    customer_id: uuid().notNull(),
    name: text().notNull(),
    // SHA-256 of the key: write-only for customers.
    key_hash: text().notNull().unique(),
    key_type: text().notNull().default(sql`'agent'`),
    is_active: boolean().notNull().default(sql`true`),
    metadata: jsonb().default(emptyJson),
    created_at: timestamptz().notNull().defaultNow(),
    last_used_at: timestamptz(),
  },
  foreignKeys: [foreignKey("api_keys_customer_id_fkey").columns("customer_id").references("public.customers", "id").onDelete("cascade")],
  checks: [check("api_keys_key_type_check", sql`key_type in ('agent', 'service')`)],
  indexes: [index("idx_api_keys_customer_id").on("customer_id")],
  rls: { enabled: true, forced: true },
  policies: tenantPolicies("api_keys", "customer_id", ["select", "insert", "update", "delete"]),
  grants: [
    grant("authenticated").select("id", "customer_id", "name", "key_type", "is_active", "metadata", "created_at", "last_used_at"),
    grant("authenticated").insert("customer_id", "name", "key_hash", "key_type", "metadata"),
    // Rename, revoke (is_active) or annotate; a key's hash never changes (rotate = new key).
    grant("authenticated").update("name", "is_active", "metadata"),
    grant("authenticated").delete(),
    backendGrant,
  ],
});
