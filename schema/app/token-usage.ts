import { foreignKey, grant, index, integer, numeric, table, timestamptz, uuid, varchar } from "../model";
import { backendGrant, tenantPolicies } from "./common";

/** LLM usage for billing: written by the backend only, read-only for the customer. */
export const tokenUsage = table("public.token_usage", {
  tenancy: { column: "customer_id" },
  columns: {
    id: uuid().primaryKey().defaultRandom(),
    customer_id: uuid().notNull(),
    ve_id: uuid(),
    operation: varchar(255).notNull(),
    input_tokens: integer().notNull(),
    output_tokens: integer().notNull(),
    total_tokens: integer().notNull(),
    cost: numeric(10, 4).notNull(),
    model: varchar(100),
    timestamp: timestamptz().defaultNow(),
  },
  foreignKeys: [
    foreignKey("token_usage_customer_id_fkey").columns("customer_id").references("public.customers", "id").onDelete("cascade"),
    // Usage outlives the hired agent (billing history): only ve_id is nulled.
    foreignKey("token_usage_ve_id_tenant_fkey")
      .columns("customer_id", "ve_id")
      .references("public.customer_ves", "customer_id", "id")
      .onDelete("set null", ["ve_id"]),
  ],
  indexes: [
    index("idx_token_usage_customer_id").on("customer_id"),
    index("idx_token_usage_ve_id").on("ve_id"),
    index("idx_token_usage_timestamp").on("timestamp"),
    index("idx_token_usage_customer_id_ve_id").on("customer_id", "ve_id"),
  ],
  rls: { enabled: true, forced: true },
  policies: tenantPolicies("token_usage", "customer_id", ["select"]),
  grants: [grant("authenticated").select(), backendGrant],
});
