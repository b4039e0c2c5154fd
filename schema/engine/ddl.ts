/**
 * DDL for tables and what hangs off them. Each builder returns one statement; the
 * planner and renderSchemaSql both use these, so there is one spelling of each.
 */
import type {
  CheckDecl,
  ColumnDecl,
  ForeignKeyDecl,
  GrantDecl,
  IndexDecl,
  PolicyDecl,
  TableDecl,
  TriggerDecl,
  UniqueDecl,
} from "../model/types";
import { identList, qualifiedName, quoteIdent, quoteLiteral } from "./sql";

export function tableRef(t: { schema: string; name: string }): string {
  return qualifiedName(t.schema, t.name);
}

export function columnDefinition(c: ColumnDecl): string {
  return `${quoteIdent(c.name)} ${c.type}${c.notNull ? " not null" : ""}${c.default ? ` default ${c.default.sql}` : ""}`;
}

export function checkDefinition(c: CheckDecl): string {
  return `constraint ${quoteIdent(c.name)} check (${c.expression.sql})`;
}

export function uniqueDefinition(u: UniqueDecl): string {
  return `constraint ${quoteIdent(u.name)} unique (${identList(u.columns)})`;
}

export function foreignKeyDefinition(fk: ForeignKeyDecl): string {
  const setCols = fk.onDeleteSetColumns && fk.onDeleteSetColumns.length > 0 ? ` (${identList(fk.onDeleteSetColumns)})` : "";
  return (
    `constraint ${quoteIdent(fk.name)} foreign key (${identList(fk.columns)}) ` +
    `references ${qualifiedName(fk.references.schema, fk.references.table)} (${identList(fk.references.columns)}) ` +
    `on delete ${fk.onDelete}${setCols}`
  );
}

/** A new table with its columns, keys and checks; foreign keys and indexes follow separately. */
export function createTableSql(t: TableDecl): string {
  const parts = [
    ...t.columns.map(columnDefinition),
    `constraint ${quoteIdent(t.primaryKey.name)} primary key (${identList(t.primaryKey.columns)})`,
    ...t.uniques.map(uniqueDefinition),
    ...t.checks.map(checkDefinition),
  ];
  return `create table ${tableRef(t)} (\n  ${parts.join(",\n  ")}\n)`;
}

export function addConstraintSql(t: TableDecl, definition: string, notValid: boolean): string {
  return `alter table ${tableRef(t)} add ${definition}${notValid ? " not valid" : ""}`;
}

export function dropConstraintSql(t: { schema: string; name: string }, name: string): string {
  return `alter table ${qualifiedName(t.schema, t.name)} drop constraint if exists ${quoteIdent(name)}`;
}

export function validateConstraintSql(t: { schema: string; name: string }, name: string): string {
  return `alter table ${qualifiedName(t.schema, t.name)} validate constraint ${quoteIdent(name)}`;
}

export function createIndexSql(t: TableDecl, i: IndexDecl, opts: { concurrently: boolean; name?: string }): string {
  return (
    `create ${i.unique ? "unique " : ""}index ${opts.concurrently ? "concurrently " : ""}${quoteIdent(opts.name ?? i.name)} ` +
    `on ${tableRef(t)} using ${i.method} (${identList(i.columns)})${i.where ? ` where ${i.where.sql}` : ""}`
  );
}

export function dropIndexSql(schema: string, name: string, concurrently: boolean): string {
  return `drop index ${concurrently ? "concurrently " : ""}if exists ${qualifiedName(schema, name)}`;
}

function policyRoles(p: PolicyDecl): string {
  return p.roles.map((r) => (r === "public" ? "public" : quoteIdent(r))).join(", ");
}

function policyClauses(p: PolicyDecl): string {
  return `${p.using ? ` using (${p.using.sql})` : ""}${p.withCheck ? ` with check (${p.withCheck.sql})` : ""}`;
}

export function createPolicySql(t: TableDecl, p: PolicyDecl): string {
  return (
    `create policy ${quoteIdent(p.name)} on ${tableRef(t)} as ${p.permissive ? "permissive" : "restrictive"} ` +
    `for ${p.command} to ${policyRoles(p)}${policyClauses(p)}`
  );
}

/** ALTER POLICY can change roles and predicates in place (not the command or permissiveness). */
export function alterPolicySql(t: TableDecl, p: PolicyDecl): string {
  return `alter policy ${quoteIdent(p.name)} on ${tableRef(t)} to ${policyRoles(p)}${policyClauses(p)}`;
}

export function dropPolicySql(t: { schema: string; name: string }, name: string): string {
  return `drop policy if exists ${quoteIdent(name)} on ${qualifiedName(t.schema, t.name)}`;
}

export function rlsSql(t: { schema: string; name: string }, what: "enable" | "disable" | "force" | "no force"): string {
  return `alter table ${qualifiedName(t.schema, t.name)} ${what} row level security`;
}

function grantees(roles: string | readonly string[]): string {
  return (typeof roles === "string" ? [roles] : roles).map((r) => (r.toLowerCase() === "public" ? "public" : quoteIdent(r))).join(", ");
}

export function grantSql(t: { schema: string; name: string }, role: string | readonly string[], privileges: readonly string[], columns?: readonly string[]): string {
  const cols = columns && columns.length > 0 ? ` (${identList(columns)})` : "";
  return `grant ${privileges.join(", ")}${cols} on table ${qualifiedName(t.schema, t.name)} to ${grantees(role)}`;
}

export function revokeSql(t: { schema: string; name: string }, role: string | readonly string[], privileges: readonly string[], columns?: readonly string[]): string {
  const cols = columns && columns.length > 0 ? ` (${identList(columns)})` : "";
  return `revoke ${privileges.join(", ")}${cols} on table ${qualifiedName(t.schema, t.name)} from ${grantees(role)}`;
}

/** Table grants of a declaration, one statement per role and column set. */
export function declaredGrantsSql(t: TableDecl, g: GrantDecl): string {
  return grantSql(t, g.role, g.privileges, g.columns);
}

export function createTriggerSql(t: TableDecl, tr: TriggerDecl): string {
  return (
    `create trigger ${quoteIdent(tr.name)} ${tr.timing} ${tr.events.join(" or ")} on ${tableRef(t)} ` +
    `for each ${tr.forEach} execute function ${qualifiedName(tr.function.schema, tr.function.name)}()`
  );
}

export function dropTriggerSql(t: { schema: string; name: string }, name: string): string {
  return `drop trigger if exists ${quoteIdent(name)} on ${qualifiedName(t.schema, t.name)}`;
}

export function commentSql(t: { schema: string; name: string }, comment: string | undefined): string {
  return `comment on table ${qualifiedName(t.schema, t.name)} is ${comment === undefined ? "null" : quoteLiteral(comment)}`;
}
