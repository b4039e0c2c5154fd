import { grant, sql, table, timestamptz, uuid, varchar } from "../model";
import { backendGrant, tenantPolicies } from "./common";

/**
 * A customer organisation; its `id` is the id of its auth user, so the tenancy column
 * is `id` itself. Was without RLS (every signed-in user could read every customer).
 */
export const customers = table("public.customers", {
  tenancy: { column: "id" },
  columns: {
    id: uuid().primaryKey().defaultRandom(),
    email: varchar(255).notNull().unique(),
    company_name: varchar(255).notNull(),
    industry: varchar(100),
    company_size: varchar(50),
    created_at: timestamptz().defaultNow(),
    subscription_tier: varchar(50).default(sql`'free'`),
    subscription_status: varchar(50).default(sql`'active'`),
  },
  // The primary key (id) leads with the tenancy column: policies need no extra index.
  rls: { enabled: true, forced: true },
  // Customers are created by the backend at sign-up and removed by it; a customer
  // reads and edits its own profile only.
  policies: tenantPolicies("customers", "id", ["select", "update"]),
  grants: [
    grant("authenticated").select(),
    // Not email (tied to the auth account), not subscription_tier/status (billing).
    grant("authenticated").update("company_name", "industry", "company_size"),
    backendGrant,
  ],
});
