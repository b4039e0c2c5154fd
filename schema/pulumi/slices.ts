/**
 * Cuts the declared model into what each resource owns, as plain normalised data: a
 * table's inputs are its own declaration (plus the few role declarations its grants
 * and policies name), so `pulumi preview` shows exactly that table changing. Also
 * works out the order between resources: a table after the tables its foreign keys
 * reference and after the functions its triggers or expressions call.
 */
import type { FunctionDecl, RetiredObject, RoleDecl, SchemaModel, TableDecl } from "../model/types";

/** JSON with sorted keys and no undefined fields: equal declarations always compare equal. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** A deep, plain, key-sorted copy (builders may hand out frozen or class-built objects). */
export function normalise<T>(value: T): T {
  return JSON.parse(stableJson(value)) as T;
}

export const tableKeyOf = (t: { schema: string; name: string }): string => `${t.schema}.${t.name}`;
export const functionKeyOf = (f: { schema: string; name: string }): string => `${f.schema}.${f.name}`;

export interface TableSlice {
  readonly key: string;
  readonly declaration: TableDecl;
  readonly roles: RoleDecl[];
}

export function tableSlice(model: SchemaModel, table: TableDecl): TableSlice {
  // Every declared role, not only those this table names: the engine revokes privileges
  // from any managed role the table does not grant to, as the whole-model plan does.
  return { key: tableKeyOf(table), declaration: normalise(table), roles: normalise([...model.roles]) };
}

export interface FunctionSlice {
  readonly key: string;
  readonly declaration: FunctionDecl;
  readonly roles: RoleDecl[];
}

export function functionSlice(model: SchemaModel, fn: FunctionDecl): FunctionSlice {
  return { key: functionKeyOf(fn), declaration: normalise(fn), roles: normalise([...model.roles]) };
}

export function retiredSlice(model: SchemaModel): RetiredObject[] {
  return normalise([...model.retired]);
}

/** SQL text of a table that may call functions: defaults, checks, index predicates, policies. */
function expressionsOf(table: TableDecl): string[] {
  return [
    ...table.columns.flatMap((c) => (c.default ? [c.default.sql] : [])),
    ...table.checks.map((c) => c.expression.sql),
    ...table.indexes.flatMap((i) => (i.where ? [i.where.sql] : [])),
    ...table.policies.flatMap((p) => [p.using?.sql, p.withCheck?.sql].filter((s): s is string => s !== undefined)),
  ];
}

export interface TableDependencies {
  /** Tables referenced by foreign keys (self-references excluded). */
  readonly tables: string[];
  /** Model functions called by triggers or named in expressions. */
  readonly functions: string[];
}

export function tableDependencies(model: SchemaModel, table: TableDecl): TableDependencies {
  const self = tableKeyOf(table);
  const tables = [...new Set(table.foreignKeys.map((fk) => `${fk.references.schema}.${fk.references.table}`))].filter((k) => k !== self);
  const text = expressionsOf(table).join("\n").toLowerCase();
  const functions = model.functions
    .map(functionKeyOf)
    .filter((k) => table.triggers.some((t) => functionKeyOf(t.function) === k) || new RegExp(`\\b${k.replace(".", "\\.")}\\s*\\(`).test(text));
  return { tables, functions: [...new Set(functions)] };
}

/** Tables in an order where each comes after the tables it references (cycles keep model order). */
export function tablesInDependencyOrder(model: SchemaModel): TableDecl[] {
  const byKey = new Map(model.tables.map((t) => [tableKeyOf(t), t]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: TableDecl[] = [];
  const visit = (t: TableDecl): void => {
    const k = tableKeyOf(t);
    if (done.has(k) || visiting.has(k)) return;
    visiting.add(k);
    for (const dep of tableDependencies(model, t).tables) {
      const d = byKey.get(dep);
      if (d) visit(d);
    }
    visiting.delete(k);
    done.add(k);
    out.push(t);
  };
  model.tables.forEach(visit);
  return out;
}
