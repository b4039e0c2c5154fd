/**
 * What the model says a role may do on a table: the expectation side of every
 * attempt. Privileges come from the declared grants, row access from the declared
 * policies; the live database is then held to both.
 */
import type { PolicyDecl, TableDecl, TablePrivilege } from "../model/types";
import type { Expectation } from "./types";

export type RowCommand = "select" | "insert" | "update" | "delete";

const appliesTo = (roles: readonly string[], role: string): boolean => roles.includes(role) || roles.includes("public");

/** The columns `role` holds `privilege` on: "all" for a table-level grant, else the union of column grants. */
export function grantedColumns(t: TableDecl, role: string, privilege: TablePrivilege): "all" | readonly string[] {
  const grants = t.grants.filter((g) => appliesTo([g.role], role) && g.privileges.includes(privilege));
  if (grants.some((g) => g.columns === undefined)) return "all";
  return [...new Set(grants.flatMap((g) => g.columns ?? []))];
}

/** Whether `role` holds `privilege` on every one of `columns` (or on the table, for DELETE). */
export function holds(t: TableDecl, role: string, privilege: TablePrivilege, columns: readonly string[] = []): boolean {
  const granted = grantedColumns(t, role, privilege);
  if (granted === "all") return true;
  if (privilege === "delete" || privilege === "truncate" || privilege === "trigger") return false;
  return granted.length > 0 && columns.every((c) => granted.includes(c));
}

const isFalse = (sql: string | undefined): boolean => sql !== undefined && /^\(*\s*false\s*\)*$/i.test(sql.trim());

/** A permissive policy that can admit some row for `role` and `command`. */
function admitting(p: PolicyDecl, role: string, command: RowCommand): boolean {
  if (!p.permissive || !appliesTo(p.roles, role)) return false;
  if (p.command !== command && p.command !== "all") return false;
  if (command === "insert") return !isFalse(p.withCheck?.sql);
  if (command === "update") return !isFalse(p.using?.sql) && !isFalse(p.withCheck?.sql ?? p.using?.sql);
  return !isFalse(p.using?.sql);
}

/** The model lets `role` run `command` on some rows of `t` (privilege and, under RLS, a policy). */
export function modelAllows(t: TableDecl, role: string, command: RowCommand, columns: readonly string[] = []): boolean {
  if (!holds(t, role, command, columns)) return false;
  return !t.rls.enabled || t.policies.some((p) => admitting(p, role, command));
}

/**
 * What a forbidden attempt must run into: without the privilege in the model,
 * PostgreSQL must refuse it outright (a live grant beyond the model is a finding even
 * when a policy happens to filter every row); with it, policies must stop it.
 */
export function forbiddenExpectation(t: TableDecl, role: string, privilege: TablePrivilege, columns: readonly string[] = []): Expectation {
  return holds(t, role, privilege, columns) ? "blocked" : "denied";
}

/**
 * A column `role` may update, for harmless updates that only privileges and policies
 * can stop: not a key, preferably not in a foreign key (whose check would stop a
 * statement first and hide what the policies did); any non-key column when the model
 * grants none.
 */
export function updatableColumn(t: TableDecl, role: string, referencing: readonly string[] = []): string {
  const granted = grantedColumns(t, role, "update");
  const keys = new Set([...t.primaryKey.columns, t.tenancy?.column ?? ""]);
  const candidates = (granted === "all" ? t.columns.map((c) => c.name) : granted).filter((c) => !keys.has(c));
  return candidates.find((c) => !referencing.includes(c)) ?? candidates[0] ?? t.columns.find((c) => !keys.has(c.name))?.name ?? t.primaryKey.columns[0] ?? t.columns[0].name;
}
