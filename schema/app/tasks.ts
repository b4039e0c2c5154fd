import { check, foreignKey, grant, index, jsonb, sql, table, text, timestamptz, unique, uuid, varchar } from "../model";
import { backendGrant, emptyJson, tenantPolicies } from "./common";

/**
 * Work a customer gives its agents. References to a hired agent and to a parent task
 * are composite `(customer_id, ...)` keys, so they can only point inside the tenant.
 * The `_tenant_fkey` names differ from today's single-column keys on purpose: the new
 * key is added (NOT VALID) beside the old one, which is dropped only once the new one
 * validates.
 */
export const tasks = table("public.tasks", {
  tenancy: { column: "customer_id" },
  columns: {
    id: uuid().primaryKey().defaultRandom(),
    customer_id: uuid().notNull(),
    title: varchar(255).notNull(),
    description: text(),
    status: varchar(50).default(sql`'pending'`),
    priority: varchar(50).default(sql`'medium'`),
    assigned_to_ve: uuid(),
    created_at: timestamptz().defaultNow(),
    updated_at: timestamptz().defaultNow(),
    due_date: timestamptz(),
    completed_at: timestamptz(),
    metadata: jsonb().default(emptyJson),
    parent_task_id: uuid(),
    thread_id: uuid(),
  },
  uniques: [unique("tasks_customer_id_id_key").on("customer_id", "id")],
  foreignKeys: [
    foreignKey("tasks_customer_id_fkey").columns("customer_id").references("public.customers", "id").onDelete("cascade"),
    // SET NULL (assigned_to_ve) only: nulling customer_id too would violate NOT NULL.
    foreignKey("tasks_assigned_to_ve_tenant_fkey")
      .columns("customer_id", "assigned_to_ve")
      .references("public.customer_ves", "customer_id", "id")
      .onDelete("set null", ["assigned_to_ve"]),
    foreignKey("tasks_parent_task_id_tenant_fkey")
      .columns("customer_id", "parent_task_id")
      .references("public.tasks", "customer_id", "id")
      .onDelete("cascade"),
  ],
  checks: [
    check("tasks_status_check", sql`status in ('pending', 'in_progress', 'completed', 'failed')`),
    check("tasks_priority_check", sql`priority in ('low', 'medium', 'high', 'urgent')`),
  ],
  indexes: [
    index("idx_tasks_customer_id").on("customer_id"),
    index("idx_tasks_assigned_to_ve").on("assigned_to_ve"),
    index("idx_tasks_status").on("status"),
    index("idx_tasks_created_at").on("created_at"),
    // Composite keys need an index leading with their columns (deletes of a hired
    // agent or a parent task look the referencing rows up by it).
    index("idx_tasks_customer_id_assigned_to_ve").on("customer_id", "assigned_to_ve"),
    index("idx_tasks_customer_id_parent_task_id").on("customer_id", "parent_task_id"),
  ],
  rls: { enabled: true, forced: true },
  // As today: no DELETE for customers (tasks are kept for history and billing).
  policies: tenantPolicies("tasks", "customer_id", ["select", "insert", "update"]),
  grants: [
    grant("authenticated").select(),
    grant("authenticated").insert(
      "customer_id", "title", "description", "status", "priority", "assigned_to_ve", "due_date", "completed_at", "metadata", "parent_task_id", "thread_id",
    ),
    // Not customer_id (a task never changes owner) nor created_at.
    grant("authenticated").update(
      "title", "description", "status", "priority", "assigned_to_ve", "updated_at", "due_date", "completed_at", "metadata", "parent_task_id", "thread_id",
    ),
    backendGrant,
  ],
});
