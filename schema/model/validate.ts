import type { FunctionDecl, SchemaModel } from "./types";
import { ModelError } from "./errors";
import { identifierProblem, isTypeName } from "./names";
import { perRowAuthCalls, validateTable, type ModelIndex } from "./validate-table";

/**
 * Rejects a model that PostgreSQL would refuse, silently change (a truncated name),
 * or that would break the platform's isolation guarantees. Throws one `ModelError`
 * listing every problem, each naming the declaration and the fix. SQL expressions are
 * not parsed here: the engine checks them through PostgreSQL itself.
 */
export function validateModel(model: SchemaModel, earlier: readonly string[] = []): void {
  const problems: string[] = [...earlier];
  const name = (where: string, value: unknown): void => {
    const p = identifierProblem(value);
    if (p) problems.push(`${where}: name ${p}`);
  };

  for (const s of model.schemas) name(`schema ${String(s)}`, s);
  for (const e of model.extensions) {
    // Extension names are quoted by the engine and some contain "-" (uuid-ossp).
    if (typeof e !== "string" || !/^[a-z_][a-z0-9_-]*$/.test(e)) problems.push(`extension ${JSON.stringify(e)}: not a valid extension name; use lower-case letters, digits, _ and -`);
  }

  const roles = new Map<string, boolean>();
  for (const r of model.roles) {
    name(`role ${String(r.name)}`, r.name);
    if (r.name === "public") problems.push(`role public: PUBLIC is every role, not one; grant to named roles instead`);
    if (roles.has(r.name)) problems.push(`role ${r.name}: declared twice; keep one declaration`);
    roles.set(r.name, r.bypassRls);
    if (!r.purpose || !r.purpose.trim()) problems.push(`role ${r.name}: purpose is empty; say why the role exists${r.bypassRls ? " and why it must see every tenant (BYPASSRLS)" : ""}`);
  }

  const functionKeys = new Set<string>();
  for (const f of model.functions) {
    const where = `function ${f.schema}.${f.name}`;
    validateFunction(f, where, model, roles, problems);
    const key = `${f.schema}.${f.name}(${f.args.map((a) => a.type).join(",")})`;
    if (functionKeys.has(key)) problems.push(`${where}: ${key} declared twice; keep one declaration`);
    functionKeys.add(key);
  }

  for (const r of model.retired) {
    if (!r.reason || !r.reason.trim()) problems.push(`retired ${r.kind} ${r.identity}: reason is empty; say why it must go`);
    if (/;|--|\/\*/.test(r.identity)) problems.push(`retired ${r.kind} ${JSON.stringify(r.identity)}: identity contains SQL punctuation; write schema.name(argtypes) or schema.table.name`);
    if (r.kind === "function" && functionKeys.has(r.identity.replace(/\s+/g, ""))) {
      problems.push(`retired function ${r.identity}: it is also declared in functions; remove one of the two`);
    }
  }

  const tableKeys = new Set<string>();
  for (const t of model.tables) {
    const key = `${t.schema}.${t.name}`;
    if (tableKeys.has(key)) problems.push(`table ${key}: declared twice; keep one declaration`);
    tableKeys.add(key);
  }
  // Index and constraint names (and table names) share the relation namespace of a
  // schema: PostgreSQL refuses a second `idx_x` anywhere in the schema, not just the table.
  const relationOwner = new Map<string, string>();
  for (const t of model.tables) relationOwner.set(`${t.schema}.${t.name}`, `table ${t.schema}.${t.name}`);
  const authCalls = new Map<string, readonly string[]>();
  const ix: ModelIndex = {
    model,
    roles,
    functions: new Map(model.functions.map((f) => [`${f.schema}.${f.name}`, f])),
    tables: new Map(model.tables.map((t) => [`${t.schema}.${t.name}`, t])),
    claimRelationName(schema, relName, owner) {
      const key = `${schema}.${relName}`;
      const prior = relationOwner.get(key);
      if (prior !== undefined && prior !== owner) {
        problems.push(`${owner}: name ${relName} is already used by ${prior} in schema ${schema} (indexes, constraints and tables share one namespace); rename one`);
        return;
      }
      relationOwner.set(key, owner);
    },
    perRowAuthCalls(sql) {
      let calls = authCalls.get(sql);
      if (!calls) authCalls.set(sql, (calls = perRowAuthCalls(sql)));
      return calls;
    },
  };
  for (const t of model.tables) {
    if (!model.schemas.includes(t.schema)) problems.push(`table ${t.schema}.${t.name}: schema ${t.schema} is not in the model's schemas; add it to schemas`);
    validateTable(t, ix, problems);
  }

  if (problems.length > 0) throw new ModelError(problems);
}

function validateFunction(f: FunctionDecl, where: string, model: SchemaModel, roles: Map<string, boolean>, problems: string[]): void {
  const id = (what: string, v: unknown): void => {
    const p = identifierProblem(v);
    if (p) problems.push(`${where}: ${what} ${p}`);
  };
  id("schema", f.schema);
  id("name", f.name);
  if (!model.schemas.includes(f.schema)) problems.push(`${where}: schema ${f.schema} is not in the model's schemas; add it to schemas`);
  f.args.forEach((a, i) => {
    id(`argument ${i + 1}`, a.name);
    if (!isTypeName(a.type)) problems.push(`${where}: argument ${a.name} has type ${JSON.stringify(a.type)}, which is not a type name`);
  });
  if (!isTypeName(f.returns)) problems.push(`${where}: return type ${JSON.stringify(f.returns)} is not a type name`);
  // The search_path must be pinned (`SET search_path = ...` on the function), or a
  // caller's objects can shadow the ones the body names (lint 0011).
  if (typeof f.searchPath !== "string") {
    problems.push(`${where}: search_path is not pinned; set searchPath: "" and schema-qualify every name in the body`);
  } else if (f.searchPath.includes("$user") || !/^[a-z_][a-z0-9_]*(\s*,\s*[a-z_][a-z0-9_]*)*$|^$/.test(f.searchPath.trim())) {
    problems.push(`${where}: searchPath ${JSON.stringify(f.searchPath)} is not a fixed list of schemas; use "" or plain schema names (no "$user")`);
  }
  if (!f.body || !f.body.trim()) problems.push(`${where}: body is empty; write the function's body`);
  if (f.body && f.body.includes("$$")) problems.push(`${where}: body contains $$, which would end the dollar-quoted body early; remove it`);
  for (const r of f.executableBy) {
    if (!roles.has(r)) problems.push(`${where}: executableBy names role ${r}, which the model does not declare; declare the role or remove it`);
  }
  // A SECURITY DEFINER function callable by the API roles runs with its owner's rights
  // on behalf of anyone (lints 0028/0029); today's set_customer_context is exactly that.
  if (f.securityDefiner && f.executableBy.some((r) => r === "anon" || r === "authenticated")) {
    problems.push(`${where}: SECURITY DEFINER and executable by anon/authenticated; make it SECURITY INVOKER or move it out of reach of the API roles`);
  }
}
