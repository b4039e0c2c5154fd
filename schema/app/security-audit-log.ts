import { func, grant, index, integer, policy, sql, table, text, timestamptz, trigger, uuid } from "../model";

/**
 * Refuses UPDATE, DELETE and TRUNCATE on the audit log. A trigger binds the table
 * owner too (privileges do not), so only an explicit, visible `DISABLE TRIGGER` by
 * the owner could alter history. SECURITY INVOKER and callable by nobody: PostgreSQL
 * checks EXECUTE when the trigger is created, not when it fires.
 */
export const auditLogAppendOnly = func("public.security_audit_log_append_only", {
  returns: "trigger",
  language: "plpgsql",
  volatility: "volatile",
  searchPath: "",
  body: `
begin
  raise exception 'public.security_audit_log is append-only: % is not allowed', tg_op
    using errcode = 'insufficient_privilege',
          hint = 'Audit rows are never changed or removed; write a new row instead.';
end;
`,
  executableBy: [],
});

/**
 * Requests the backend audits (optional in today's databases). Append-only: the
 * backend inserts and reads; nobody holds UPDATE, DELETE or TRUNCATE, and the
 * trigger refuses them even to the owner. No foreign key to customers on purpose:
 * the log must outlive a deleted customer (a cascade would also hit the trigger).
 */
export const securityAuditLog = table("public.security_audit_log", {
  tenancy: { column: "customer_id" },
  columns: {
    id: uuid().primaryKey().defaultRandom(),
    timestamp: timestamptz().notNull().defaultNow(),
    customer_id: uuid().notNull(),
    path: text().notNull(),
    method: text().notNull(),
    context_hash: text().notNull(),
    ip_address: text(),
    user_agent: text(),
    response_status: integer(),
    created_at: timestamptz().defaultNow(),
  },
  indexes: [index("idx_security_audit_log_customer_id").on("customer_id")],
  rls: { enabled: true, forced: true },
  policies: [
    // Backend-only table: an explicit policy for authenticated that admits nothing
    // (RLS with no policy at all is flagged by the linter as an oversight).
    policy("security_audit_log_select").for("select").to("authenticated").using(sql`false`),
  ],
  grants: [grant("service_role").privileges("select", "insert")],
  triggers: [
    trigger("security_audit_log_no_update_delete").before("update", "delete").forEach("row").execute("public.security_audit_log_append_only"),
    trigger("security_audit_log_no_truncate").before("truncate").forEach("statement").execute("public.security_audit_log_append_only"),
  ],
});
