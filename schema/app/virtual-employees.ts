import { boolean, check, grant, index, jsonb, numeric, policy, sql, table, text, timestamptz, uuid, varchar } from "../model";
import { backendGrant, emptyTextArray } from "./common";

/**
 * The marketplace catalog: not a tenant table (no customer owns a row), so RLS is
 * enabled but not forced. Anyone may browse released agents (stable, beta); only the
 * backend (catalog sync) writes. Was without RLS.
 */
export const virtualEmployees = table("public.virtual_employees", {
  columns: {
    id: uuid().primaryKey().defaultRandom(),
    name: varchar(255).notNull(),
    role: varchar(255).notNull(),
    department: varchar(255).notNull(),
    seniority_level: varchar(50),
    description: text(),
    capabilities: jsonb(),
    tools: jsonb(),
    pricing_monthly: numeric(10, 2).notNull(),
    status: varchar(50).default(sql`'stable'`),
    created_at: timestamptz().defaultNow(),
    updated_at: timestamptz().defaultNow(),
    source: varchar(100).default(sql`'internal'`),
    source_id: varchar(255),
    token_billing_model: varchar(50).default(sql`'customer_pays'`),
    // No CHECK: databases disagree on the value set (low/medium/high vs light/medium/heavy);
    // an existing CHECK is kept and reported, not merged.
    estimated_usage: varchar(50).default(sql`'medium'`),
    tags: text().array().default(emptyTextArray),
    category: varchar(100).default(sql`'general'`),
    featured: boolean().default(sql`false`),
    icon_url: varchar(500),
    screenshots: text().array().default(emptyTextArray),
    marketing_description: text(),
    // Was `timestamp without time zone`; values are read as UTC.
    last_synced_at: timestamptz(),
    sync_status: varchar(50),
  },
  checks: [
    check("virtual_employees_seniority_level_check", sql`seniority_level in ('junior', 'senior', 'manager')`),
    check("virtual_employees_status_check", sql`status in ('stable', 'beta', 'experimental')`),
  ],
  indexes: [
    index("idx_virtual_employees_department").on("department"),
    index("idx_virtual_employees_seniority_level").on("seniority_level"),
    // Also serves the catalog policy's filter on status.
    index("idx_virtual_employees_status").on("status"),
    index("idx_virtual_employees_source").on("source"),
    // Drift indexes kept because the marketplace UI filters on them.
    index("idx_ve_category").on("category"),
    index("idx_ve_featured").on("featured").where(sql`featured = true`),
    index("idx_ve_tags").on("tags").using("gin"),
  ],
  rls: { enabled: true, forced: false },
  policies: [
    // One policy naming both roles: two permissive SELECT policies per role would be
    // evaluated and ORed on every read (Supabase lint 0006).
    policy("virtual_employees_select").for("select").to("anon", "authenticated").using(sql`status in ('stable', 'beta')`),
  ],
  grants: [grant("anon").select(), grant("authenticated").select(), backendGrant],
});
