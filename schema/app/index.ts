/**
 * The platform's database, declared once. The engine plans from it, the verifier
 * checks against it, the CLI and Pulumi deploy it. `defineSchema` validates it at
 * import time, so a bad declaration fails before anything connects.
 */
import { defineSchema, retired, type SchemaModel } from "../model";
import { platformRoles } from "./roles";
import { customers } from "./customers";
import { virtualEmployees } from "./virtual-employees";
import { customerVes } from "./customer-ves";
import { tasks } from "./tasks";
import { messages } from "./messages";
import { tokenUsage } from "./token-usage";
import { veConnections } from "./ve-connections";
import { apiKeys } from "./api-keys";
import { auditLogAppendOnly, securityAuditLog } from "./security-audit-log";
import { agentMemory } from "./agent-memory";

export const platformSchema: SchemaModel = defineSchema({
  schemas: ["public"],
  // gen_random_uuid() is built in from PostgreSQL 13; no extension in public (lint 0014).
  extensions: [],
  roles: platformRoles,
  functions: [auditLogAppendOnly],
  // Referenced tables before referencing ones, so rendering in order needs no forward references.
  tables: [customers, virtualEmployees, customerVes, tasks, messages, tokenUsage, veConnections, apiKeys, securityAuditLog, agentMemory],
  retired: [
    retired(
      "function",
      "public.set_customer_context(uuid)",
      "SECURITY DEFINER and executable by anyone: it set app.current_customer_id, which agent_memory's old policy trusted, so any caller could become any customer. Tenancy now comes from the JWT only.",
    ),
  ],
});

export { platformRoles } from "./roles";
export { customers, virtualEmployees, customerVes, tasks, messages, tokenUsage, veConnections, apiKeys, securityAuditLog, agentMemory, auditLogAppendOnly };
