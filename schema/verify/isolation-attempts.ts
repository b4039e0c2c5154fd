/**
 * The attempts, derived from the model: for every declared table and command, what
 * customer A (and B, symmetrically) and anon try, and what must happen. Nothing here
 * names a platform table: tenancy columns, grants, policies and foreign keys decide.
 */
import type { TableDecl, TablePrivilege } from "../model/types";
import type { AttemptCommand, Actor, Expectation, ForbiddenAction, RowOverride } from "./types";
import type { Measure, Statement } from "./isolation-session";
import { ident, qualifiedIdent } from "./isolation-session";
import type { Fixtures, Row, RowFactory, Values } from "./isolation-rows";
import type { LiveTable } from "./isolation-catalog";
import { forbiddenExpectation, grantedColumns, modelAllows, updatableColumn, type RowCommand } from "./isolation-model";

export interface AttemptSpec {
  readonly actor: Actor;
  readonly object: string;
  readonly command: AttemptCommand;
  readonly kind: string;
  readonly description: string;
  readonly stmt: Statement;
  readonly measure: Measure;
  readonly expected: Expectation;
  /** Cross-tenant references: a foreign-key violation (23503) is the designed block. */
  readonly fkBlocks?: boolean;
  /** Run with the verifier's rights before switching to the actor. */
  readonly setup?: readonly Statement[];
  /**
   * For statements without WHERE (which need no SELECT privilege, as an attacker's would
   * not): run with the verifier's rights afterwards; `n > 0` means the target row was hit.
   */
  readonly verify?: Statement;
}

export interface Ids {
  readonly A: string;
  readonly B: string;
  /** A customer with an auth user but no rows: the intruder id where the tenancy column is unique on its own (customers.id). */
  readonly C: string;
}

export interface AttemptContext {
  readonly tables: readonly TableDecl[];
  readonly live: ReadonlyMap<string, LiveTable>;
  readonly factory: RowFactory;
  readonly fx: Fixtures;
  readonly ids: Ids;
  readonly catalog?: { readonly key: string; readonly visible: string; readonly hiddenRow: RowOverride };
  readonly forbidden: readonly ForbiddenAction[];
  /** table -> owner id -> how many rows of the table the owner has (its fixtures, and rows triggers made). */
  readonly ownRows: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

const key = (t: TableDecl): string => `${t.schema}.${t.name}`;
const target = (t: TableDecl): string => qualifiedIdent(t.schema, t.name);
const AUTH = "authenticated";

/** `col1 = $n::type and ...` for the row's primary key, parameters numbered from `from`. */
function pkWhere(ctx: AttemptContext, t: TableDecl, row: Row, from: number): { sql: string; params: (string | null)[] } {
  const cols = t.primaryKey.columns;
  return {
    sql: cols.map((c, i) => `${ident(c)} = $${from + i}::${ctx.factory.cast(key(t), c)}`).join(" and "),
    params: cols.map((c) => row[c] ?? null),
  };
}

function setColumns(ctx: AttemptContext, t: TableDecl, values: Readonly<Record<string, string | null>>): { sql: string; params: (string | null)[] } {
  const cols = Object.keys(values);
  return {
    sql: cols.map((c, i) => `${ident(c)} = $${i + 1}::${ctx.factory.cast(key(t), c)}`).join(", "),
    params: cols.map((c) => values[c]),
  };
}

function updateRow(ctx: AttemptContext, t: TableDecl, row: Row, values: Readonly<Record<string, string | null>>): Statement {
  const set = setColumns(ctx, t, values);
  const where = pkWhere(ctx, t, row, set.params.length + 1);
  return { sql: `update ${target(t)} set ${set.sql} where ${where.sql}`, params: [...set.params, ...where.params] };
}

function deleteRow(ctx: AttemptContext, t: TableDecl, row: Row): Statement {
  const where = pkWhere(ctx, t, row, 1);
  return { sql: `delete from ${target(t)} where ${where.sql}`, params: where.params };
}

function countRows(ctx: AttemptContext, t: TableDecl, row: Row, what = "*"): Statement {
  const where = pkWhere(ctx, t, row, 1);
  return { sql: `select count(${what})::int as n from ${target(t)} where ${where.sql}`, params: where.params };
}

/**
 * `UPDATE t SET col = value` without WHERE, and the question whether it changed
 * `row` (its xmin moves when it is rewritten). Without WHERE the statement needs no
 * SELECT privilege and the new row is not held to the SELECT policies.
 */
function blindUpdate(ctx: AttemptContext, t: TableDecl, row: Row, values: Readonly<Record<string, string | null>>): { stmt: Statement; verify: Statement } {
  const set = setColumns(ctx, t, values);
  const where = pkWhere(ctx, t, row, 1);
  return {
    stmt: { sql: `update ${target(t)} set ${set.sql}`, params: set.params },
    verify: { sql: `select count(*)::int as n from ${target(t)} where ${where.sql} and xmin <> $${where.params.length + 1}::xid`, params: [...where.params, row.xmin ?? null] },
  };
}

/** `DELETE FROM t` without WHERE, and the question whether `row` is gone. */
function blindDelete(ctx: AttemptContext, t: TableDecl, row: Row): { stmt: Statement; verify: Statement } {
  const where = pkWhere(ctx, t, row, 1);
  return {
    stmt: { sql: `delete from ${target(t)}`, params: [] },
    verify: { sql: `select (count(*) = 0)::int as n from ${target(t)} where ${where.sql}`, params: where.params },
  };
}

/**
 * Statements that delete, with the verifier's rights, the fixture rows a new row would
 * collide with on a unique key (e.g. the agent A already hired, or A's customers row),
 * so that only privileges and policies can stop the insert.
 */
function makeRoom(ctx: AttemptContext, t: TableDecl, values: Values): Statement[] {
  const keys = ctx.live.get(key(t))?.uniqueKeys ?? [];
  const rows = [...(ctx.fx.owned.get(key(t))?.values() ?? [])];
  return rows
    .filter((row) => keys.some((cols) => cols.every((c) => values.has(c) && values.get(c) !== null && values.get(c) === row[c])))
    .map((row) => deleteRow(ctx, t, row));
}

/** Expectation for an action the model may grant: allowed when it does, else forbidden as the grants say. */
function ownExpectation(t: TableDecl, role: string, command: RowCommand, columns: readonly string[]): Expectation {
  return modelAllows(t, role, command, columns) ? "allowed" : forbiddenExpectation(t, role, command, columns);
}

/** Foreign keys from a tenant table to a tenant table, as the columns that point (the tenancy column excluded). */
function references(ctx: AttemptContext, t: TableDecl): { name: string; target: TableDecl; pointers: { column: string; targetColumn: string }[] }[] {
  const tenancy = t.tenancy?.column;
  const declared = t.foreignKeys.map((fk) => ({ name: fk.name, columns: fk.columns, target: `${fk.references.schema}.${fk.references.table}`, targetColumns: fk.references.columns }));
  const live = ctx.live.get(key(t))?.foreignKeys ?? [];
  const seen = new Set<string>();
  const out: ReturnType<typeof references> = [];
  for (const fk of [...declared, ...live]) {
    const targetTable = ctx.tables.find((x) => key(x) === fk.target && x.tenancy);
    if (!targetTable) continue;
    const pointers = fk.columns.map((column, i) => ({ column, targetColumn: fk.targetColumns[i] })).filter((p) => p.column !== tenancy);
    const sig = pointers.map((p) => `${p.column}>${fk.target}.${p.targetColumn}`).join(",");
    if (pointers.length === 0 || seen.has(sig)) continue;
    seen.add(sig);
    out.push({ name: fk.name, target: targetTable, pointers });
  }
  return out;
}

/** A customer's attempts on one tenant table: its own rows (as the model allows) and the other's (never). */
export function tenantAttempts(ctx: AttemptContext, t: TableDecl, X: "A" | "B"): AttemptSpec[] {
  const Y = X === "A" ? "B" : "A";
  const k = key(t);
  const tc = t.tenancy?.column ?? "";
  const own = ctx.fx.owned.get(k)?.get(ctx.ids[X]);
  const other = ctx.fx.owned.get(k)?.get(ctx.ids[Y]);
  if (!own || !other) return [];
  const intruder = ctx.live.get(k)?.uniqueColumns.includes(tc) ? ctx.ids.C : ctx.ids[Y];
  const parents = (owner: string) => (tg: string): Row | undefined => ctx.fx.owned.get(tg)?.get(owner) ?? ctx.fx.shared.get(tg);
  const specs: AttemptSpec[] = [];
  const add = (command: AttemptCommand, kind: string, description: string, stmt: Statement, measure: Measure, expected: Expectation, extra: Partial<AttemptSpec> = {}): void =>
    void specs.push({ actor: X, object: k, command, kind, description, stmt, measure, expected, ...extra });

  const pk = t.primaryKey.columns;
  add("select", "read_own", `${X} reads its own ${k} row`, countRows(ctx, t, own), "count", ownExpectation(t, AUTH, "select", pk));
  add("select", "read_other", `${X} reads rows of ${k} owned by anyone else`,
    { sql: `select count(*)::int as n from ${target(t)} where ${ident(tc)} <> $1::${ctx.factory.cast(k, tc)}`, params: [ctx.ids[X]] },
    "count", forbiddenExpectation(t, AUTH, "select", [tc]));
  // The same question without naming a column, for when the tenancy column itself is not readable.
  add("select", "read_other_blind", `${X} counts the ${k} rows it can see, beyond its own`,
    { sql: `select count(*)::int - $1::int as n from ${target(t)}`, params: [String(ctx.ownRows.get(k)?.get(ctx.ids[X]) ?? 0)] },
    "count", forbiddenExpectation(t, AUTH, "select", []));

  const ownValues = ctx.factory.values(k, ctx.ids[X], parents(ctx.ids[X]));
  add("insert", "insert_own", `${X} inserts a ${k} row of its own`, ctx.factory.insert(k, ownValues), "rowCount",
    ownExpectation(t, AUTH, "insert", [...ownValues.keys()]), { setup: makeRoom(ctx, t, ownValues) });
  const otherValues = ctx.factory.values(k, intruder, parents(ctx.ids[Y]));
  add("insert", "insert_other", `${X} inserts a ${k} row owned by another customer`, ctx.factory.insert(k, otherValues), "rowCount",
    forbiddenExpectation(t, AUTH, "insert", [...otherValues.keys()]), { setup: makeRoom(ctx, t, otherValues) });

  // Without WHERE: a WHERE would hold the new row to the SELECT policies too, which an attacker need not do.
  add("update", "move", `${X} moves its own ${k} rows to another customer`,
    { sql: `update ${target(t)} set ${ident(tc)} = $1::${ctx.factory.cast(k, tc)}`, params: [intruder] }, "rowCount",
    forbiddenExpectation(t, AUTH, "update", [tc]));
  const col = updatableColumn(t, AUTH, ctx.live.get(k)?.foreignKeys.flatMap((fk) => fk.columns) ?? []);
  add("update", "update_own", `${X} updates ${col} of its own ${k} row`, updateRow(ctx, t, own, { [col]: own[col] ?? null }), "rowCount",
    ownExpectation(t, AUTH, "update", [col]));
  add("update", "update_other", `${X} updates ${col} of ${Y}'s ${k} row`, updateRow(ctx, t, other, { [col]: other[col] ?? null }), "rowCount",
    forbiddenExpectation(t, AUTH, "update", [col]));
  add("delete", "delete_own", `${X} deletes its own ${k} row`, deleteRow(ctx, t, own), "rowCount", ownExpectation(t, AUTH, "delete", []));
  add("delete", "delete_other", `${X} deletes ${Y}'s ${k} row`, deleteRow(ctx, t, other), "rowCount", forbiddenExpectation(t, AUTH, "delete"));
  const blindUp = blindUpdate(ctx, t, other, { [col]: other[col] ?? null });
  add("update", "update_other_blind", `${X} updates ${col} of every ${k} row it can reach, hoping for ${Y}'s`, blindUp.stmt, "rowCount",
    forbiddenExpectation(t, AUTH, "update", [col]), { verify: blindUp.verify });
  const blindDel = blindDelete(ctx, t, other);
  add("delete", "delete_other_blind", `${X} deletes every ${k} row it can reach, hoping for ${Y}'s`, blindDel.stmt, "rowCount",
    forbiddenExpectation(t, AUTH, "delete"), { verify: blindDel.verify });

  // Column privileges narrower than the table: the columns left out must stay out of reach.
  const liveCols = (ctx.live.get(k)?.columns ?? []).filter((c) => !c.generated).map((c) => c.name);
  const readable = grantedColumns(t, AUTH, "select");
  if (readable !== "all" && readable.length > 0) {
    for (const c of liveCols.filter((c) => !readable.includes(c))) {
      add("select", `read_column:${c}`, `${X} reads ${c} of its own ${k} row`, countRows(ctx, t, own, ident(c)), "count", "denied");
    }
  }
  const writable = grantedColumns(t, AUTH, "update");
  if (writable !== "all" && writable.length > 0) {
    for (const c of liveCols.filter((c) => !writable.includes(c) && c !== tc)) {
      add("update", `update_column:${c}`, `${X} updates ${c} of its own ${k} row`, updateRow(ctx, t, own, { [c]: own[c] ?? null }), "rowCount", "denied");
    }
  }

  // Cross-tenant references: X's row pointing at Y's row through every tenant-to-tenant key.
  for (const ref of references(ctx, t)) {
    const theirs = ctx.fx.owned.get(key(ref.target))?.get(ctx.ids[Y]);
    if (!theirs) continue;
    const pointing = Object.fromEntries(ref.pointers.map((p) => [p.column, theirs[p.targetColumn] ?? null]));
    const cols = Object.keys(pointing);
    add("update", `reference_update:${ref.name}`, `${X} points its own ${k} row at ${Y}'s ${key(ref.target)} row (${cols.join(", ")})`,
      updateRow(ctx, t, own, pointing), "rowCount", forbiddenExpectation(t, AUTH, "update", cols), { fkBlocks: true });
    const values = ctx.factory.values(k, ctx.ids[X], parents(ctx.ids[X]), pointing);
    add("insert", `reference_insert:${ref.name}`, `${X} inserts a ${k} row pointing at ${Y}'s ${key(ref.target)} row (${cols.join(", ")})`,
      ctx.factory.insert(k, values), "rowCount", forbiddenExpectation(t, AUTH, "insert", [...values.keys()]), { fkBlocks: true, setup: makeRoom(ctx, t, values) });
  }

  // Actions that must never succeed whatever the model says (defence against a wrong model).
  // Writes without WHERE, so that a missing SELECT privilege cannot hide a write privilege.
  for (const f of ctx.forbidden.filter((f) => f.table === k)) {
    const c = f.column ?? col;
    const write = f.command === "update" ? blindUpdate(ctx, t, own, { [c]: own[c] ?? null }) : f.command === "delete" ? blindDelete(ctx, t, own) : undefined;
    const stmt = write?.stmt ?? countRows(ctx, t, own, f.column ? ident(f.column) : "*");
    const priv: TablePrivilege = f.command;
    const cols = f.column ? [f.column] : f.command === "update" ? [col] : [];
    add(f.command, `forbidden_${f.command}${f.column ? `:${f.column}` : ""}`, `${X} ${f.command}s ${f.column ? `${f.column} of ` : ""}its own ${k} row (${f.why})`,
      stmt, f.command === "select" ? "count" : "rowCount", forbiddenExpectation(t, AUTH, priv, cols), write ? { verify: write.verify } : {});
  }
  return specs;
}

/** A customer's writes to a table without owner (e.g. the catalog): refused unless the model grants them. */
export function sharedTableAttempts(ctx: AttemptContext, t: TableDecl, X: "A" | "B"): AttemptSpec[] {
  const k = key(t);
  const row = ctx.fx.shared.get(k);
  if (!row) return [];
  const specs: AttemptSpec[] = [];
  const values = ctx.factory.values(k, null, (tg) => ctx.fx.owned.get(tg)?.get(ctx.ids[X]) ?? ctx.fx.shared.get(tg));
  const col = updatableColumn(t, AUTH, ctx.live.get(k)?.foreignKeys.flatMap((fk) => fk.columns) ?? []);
  const candidates: [RowCommand, Statement, readonly string[]][] = [
    ["insert", ctx.factory.insert(k, values), [...values.keys()]],
    ["update", updateRow(ctx, t, row, { [col]: row[col] ?? null }), [col]],
    ["delete", deleteRow(ctx, t, row), []],
  ];
  for (const [command, stmt, cols] of candidates) {
    if (modelAllows(t, AUTH, command, cols)) continue;
    specs.push({ actor: X, object: k, command, kind: `${command}_shared`, description: `${X} ${command}s a row of ${k}`, stmt, measure: "rowCount", expected: forbiddenExpectation(t, AUTH, command, cols) });
  }
  return specs;
}

/** anon on any table: it reads only the public catalog's visible rows and writes nothing. */
export function anonAttempts(ctx: AttemptContext, t: TableDecl): AttemptSpec[] {
  const k = key(t);
  const specs: AttemptSpec[] = [];
  const add = (command: AttemptCommand, kind: string, description: string, stmt: Statement, measure: Measure, expected: Expectation): void =>
    void specs.push({ actor: "anon", object: k, command, kind, description, stmt, measure, expected });
  const sample = ctx.fx.owned.get(k)?.get(ctx.ids.A) ?? ctx.fx.shared.get(k);
  if (!sample) return [];

  if (ctx.catalog?.key === k) {
    add("select", "read_catalog", `anon reads the public rows of ${k}`, countRows(ctx, t, sample), "count", ownExpectation(t, "anon", "select", t.primaryKey.columns));
    add("select", "read_hidden", `anon reads rows of ${k} outside (${ctx.catalog.visible})`,
      { sql: `select count(*)::int as n from ${target(t)} where not coalesce((${ctx.catalog.visible}), false)`, params: [] }, "count", forbiddenExpectation(t, "anon", "select", []));
  } else {
    add("select", "read_any", `anon reads ${k}`, { sql: `select count(*)::int as n from ${target(t)}`, params: [] }, "count", forbiddenExpectation(t, "anon", "select"));
  }
  const parents = (tg: string): Row | undefined => ctx.fx.owned.get(tg)?.get(ctx.ids.A) ?? ctx.fx.shared.get(tg);
  const values = ctx.factory.values(k, t.tenancy ? ctx.ids.A : null, parents);
  add("insert", "insert_any", `anon inserts a ${k} row`, ctx.factory.insert(k, values), "rowCount", forbiddenExpectation(t, "anon", "insert", [...values.keys()]));
  const col = updatableColumn(t, "anon", ctx.live.get(k)?.foreignKeys.flatMap((fk) => fk.columns) ?? []);
  add("update", "update_any", `anon updates ${col} of every ${k} row it can reach`,
    { sql: `update ${target(t)} set ${ident(col)} = $1::${ctx.factory.cast(k, col)}`, params: [sample[col] ?? null] }, "rowCount", forbiddenExpectation(t, "anon", "update", [col]));
  add("delete", "delete_any", `anon deletes every ${k} row it can reach`, { sql: `delete from ${target(t)}`, params: [] }, "rowCount", forbiddenExpectation(t, "anon", "delete"));
  return specs;
}
