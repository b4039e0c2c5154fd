/**
 * DDL for schema-wide objects: extensions, roles, functions. Shared by the planner
 * and renderSchemaSql, so a plan and the rendered schema file say the same thing.
 */
import type { FunctionDecl, RoleDecl } from "../model/types";
import { dollarQuote, identList, qualifiedName, quoteIdent, quoteLiteral } from "./sql";

export function functionSignatureKey(schema: string, name: string, argTypes: readonly string[]): string {
  return `${schema}.${name}(${argTypes.join(", ")})`;
}

/** `"s"."f"(uuid, text)` — the form GRANT, REVOKE and DROP FUNCTION take. */
export function functionRef(schema: string, name: string, argTypes: readonly string[]): string {
  return `${qualifiedName(schema, name)}(${argTypes.join(", ")})`;
}

export function declaredFunctionRef(f: FunctionDecl): string {
  return functionRef(f.schema, f.name, f.args.map((a) => a.type));
}

/** The `proconfig` entry PostgreSQL stores for the declared search_path. */
export function searchPathConfig(searchPath: string): string {
  const parts = searchPath.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  return `search_path=${parts.length === 0 ? '""' : parts.join(", ")}`;
}

function searchPathClause(searchPath: string): string {
  const parts = searchPath.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  return parts.length === 0 ? "set search_path = ''" : `set search_path = ${parts.map((p) => (p === "pg_temp" ? p : quoteIdent(p))).join(", ")}`;
}

export function createFunctionSql(f: FunctionDecl, orReplace = false): string {
  const args = f.args.map((a) => `${quoteIdent(a.name)} ${a.type}`).join(", ");
  return [
    `create ${orReplace ? "or replace " : ""}function ${qualifiedName(f.schema, f.name)}(${args})`,
    ` returns ${f.returns} language ${f.language} ${f.volatility}${f.securityDefiner ? " security definer" : ""}`,
    ` ${searchPathClause(f.searchPath)}`,
    ` as ${dollarQuote(f.body)}`,
  ].join("\n");
}

/** PUBLIC gets EXECUTE on every new function by default; the model never wants that. */
export function functionGrantsSql(f: FunctionDecl): string[] {
  const ref = declaredFunctionRef(f);
  const out = [`revoke all on function ${ref} from public`];
  if (f.executableBy.length > 0) out.push(`grant execute on function ${ref} to ${identList(f.executableBy)}`);
  return out;
}

export function createExtensionSql(name: string): string {
  return `create extension if not exists ${quoteIdent(name)}`;
}

/**
 * Roles are cluster-wide and may be created by another database's deployment at the
 * same moment; the DO block makes creation idempotent and race-safe.
 */
export function createRoleSql(r: RoleDecl): string {
  const attrs = `${r.login ? "login" : "nologin"} ${r.bypassRls ? "bypassrls" : "nobypassrls"}`;
  const body = `begin
  if not exists (select 1 from pg_roles where rolname = ${quoteLiteral(r.name)}) then
    execute ${quoteLiteral(`create role ${quoteIdent(r.name)} ${attrs}`)};
  end if;
exception when duplicate_object or unique_violation then null;
end`;
  return `do ${dollarQuote(body, "role")}`;
}

export function alterRoleSql(r: RoleDecl): string {
  return `alter role ${quoteIdent(r.name)} ${r.login ? "login" : "nologin"} ${r.bypassRls ? "bypassrls" : "nobypassrls"}`;
}
