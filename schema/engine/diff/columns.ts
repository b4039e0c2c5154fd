/**
 * Columns of an existing table: added, retyped, defaults and nullability changed,
 * undeclared ones dropped only when empty or allowed, otherwise kept and reported.
 */
import type { ColumnDecl } from "../../model/types";
import type { CatalogColumn } from "../catalog-types";
import { columnDefinition, dropConstraintSql, tableRef, validateConstraintSql } from "../ddl";
import { hazard } from "../hazards";
import { quoteIdent } from "../sql";
import { PHASE, rowKeyExpr, whenValid, type TableDiff } from "./context";

type TypeChange = "metadata" | "timestamptz" | "rewrite";

const VARCHAR = /^character varying(?:\((\d+)\))?$/;
const NUMERIC = /^numeric(?:\((\d+),(\d+)\))?$/;

/**
 * Whether PostgreSQL can change the type without rewriting or rechecking the table:
 * lengthening a varchar, varchar<->text, raising numeric precision at the same
 * scale; `timestamp` -> `timestamptz` only when the session TimeZone is UTC (apply
 * sets it), which also makes old values the same instants read as UTC.
 */
export function classifyTypeChange(from: string, to: string): TypeChange {
  if (from === "timestamp without time zone" && to === "timestamp with time zone") return "timestamptz";
  const vf = VARCHAR.exec(from);
  const vt = VARCHAR.exec(to);
  if ((vf || from === "text") && (to === "text" || (vt && vt[1] === undefined))) return "metadata";
  if (vf && vt && vf[1] !== undefined && vt[1] !== undefined && Number(vt[1]) >= Number(vf[1])) return "metadata";
  const nf = NUMERIC.exec(from);
  const nt = NUMERIC.exec(to);
  if (nf && nt && nt[1] === undefined) return "metadata";
  if (nf && nt && nf[1] !== undefined && nt[1] !== undefined && nf[2] === nt[2] && Number(nt[1]) >= Number(nf[1])) return "metadata";
  return "rewrite";
}

const VOLATILE_DEFAULT = /\b(gen_random_uuid|uuid_generate_v[14]|random|clock_timestamp|nextval|timeofday)\s*\(/i;

function alterColumn(d: TableDiff, c: string): string {
  return `alter table ${tableRef(d.decl)} alter column ${quoteIdent(c)}`;
}

function addColumn(d: TableDiff, c: ColumnDecl): void {
  const table = d.key;
  const hasRows = d.ctx.rows.nonEmptyTables.has(table);
  const needsLaterNotNull = c.notNull && !c.default && hasRows;
  const col: ColumnDecl = needsLaterNotNull ? { ...c, notNull: false } : c;
  const rewrites = hasRows && c.default !== undefined && VOLATILE_DEFAULT.test(c.default.sql);
  d.change({
    phase: PHASE.columns,
    id: d.id("column", c.name, "create"),
    object: `column ${c.name} on ${table}`,
    action: "create",
    sql: `alter table ${tableRef(d.decl)} add column ${columnDefinition(col)}`,
    lock: "ACCESS EXCLUSIVE",
    hazards: rewrites
      ? [hazard.rewrite(`A volatile default is computed for every existing row, rewriting ${table} under an exclusive lock.`), hazard.longLock(`${table} is locked for the whole rewrite.`)]
      : [],
  });
  if (needsLaterNotNull) setNotNull(d, c.name, true);
}

/** A new NOT NULL column without a default on a table with rows: every row would break it. */
function setNotNull(d: TableDiff, column: string, added = false): void {
  const table = d.key;
  const ref = tableRef(d.decl);
  const nulls = added ? `from ${ref}` : `from ${ref} where ${quoteIdent(column)} is null`;
  d.validations.push({
    constraint: `${column} not null`,
    object: `not null on column ${column} of ${table}`,
    violationsSql: `select ${rowKeyExpr(d.decl)} as row ${nulls} order by 1 limit 100`,
    countSql: `select count(*)::int as n ${nulls}`,
    validateSql: `${alterColumn(d, column)} set not null`,
    reason: `rows of ${table} have NULL in ${column}, declared NOT NULL`,
    setNotNull: { sql: `${alterColumn(d, column)} set not null` },
  });
}

const MAX_IDENT = 63;

/**
 * The CHECK (col IS NOT NULL) that proves a column NOT NULL before SET NOT NULL:
 * once it is valid, PostgreSQL (12+) sets NOT NULL without scanning the table under
 * its exclusive lock. It is added NOT VALID, validated online, then dropped.
 */
export function notNullHelperName(table: string, column: string): string {
  const name = `${table}_${column}_not_null_ve`;
  return name.length <= MAX_IDENT ? name : `${name.slice(0, MAX_IDENT - 3)}_ve`;
}

/** Helper checks of columns still on their way to NOT NULL; the constraint diff leaves them alone. */
export function pendingNotNullHelpers(d: TableDiff): Set<string> {
  const live = new Map((d.live?.columns ?? []).map((c) => [c.name, c]));
  return new Set(d.decl.columns.filter((c) => c.notNull && live.get(c.name)?.notNull === false).map((c) => notNullHelperName(d.decl.name, c.name)));
}

function setNotNullOnline(d: TableDiff, column: string): void {
  const helper = notNullHelperName(d.decl.name, column);
  const existing = d.live?.constraints.find((c) => c.name === helper && c.type === "c");
  const object = `not null on column ${column} of ${d.key}`;
  const setSql = `${alterColumn(d, column)} set not null`;
  const dropSql = dropConstraintSql(d.decl, helper);
  if (existing?.validated) {
    d.change({ phase: PHASE.columns, id: d.id("column", column, "not-null"), object, action: "alter", sql: setSql, lock: "ACCESS EXCLUSIVE", hazards: [] });
    d.change({ phase: PHASE.columns, id: d.id("constraint", helper, "drop"), object, action: "drop", sql: dropSql, lock: "ACCESS EXCLUSIVE", hazards: [] });
    return;
  }
  if (!existing)
    d.change({ phase: PHASE.constraints, id: d.id("constraint", helper, "create"), object, action: "create", sql: `alter table ${tableRef(d.decl)} add constraint ${quoteIdent(helper)} check (${quoteIdent(column)} is not null) not valid`, lock: "ACCESS EXCLUSIVE", hazards: [] });
  const nulls = `from ${tableRef(d.decl)} where ${quoteIdent(column)} is null`;
  d.validations.push({
    constraint: helper,
    object,
    violationsSql: `select ${rowKeyExpr(d.decl)} as row ${nulls} order by 1 limit 100`,
    countSql: `select count(*)::int as n ${nulls}`,
    validateSql: validateConstraintSql(d.decl, helper),
    reason: `rows of ${d.key} have NULL in ${column}, declared NOT NULL`,
  });
  const precondition = whenValid(d, helper);
  d.post.push({ id: d.id("column", column, "not-null"), object, action: "alter", sql: setSql, transactional: true, lock: "ACCESS EXCLUSIVE", hazards: [], precondition, dependsOnValid: helper });
  d.post.push({ id: d.id("constraint", helper, "drop"), object, action: "drop", sql: dropSql, transactional: true, lock: "ACCESS EXCLUSIVE", hazards: [], precondition, dependsOnValid: helper });
}

function changeType(d: TableDiff, live: CatalogColumn, to: string, declared: boolean): void {
  const table = d.key;
  const kind = classifyTypeChange(live.type, to);
  const object = `column ${live.name} on ${table}`;
  d.driftItem(object, `type ${to}`, `type ${live.type}`, false);
  if (kind !== "rewrite") {
    d.change({ phase: PHASE.columns, id: d.id("column", live.name, "type"), object, action: "alter", sql: `${alterColumn(d, live.name)} type ${to}`, lock: "ACCESS EXCLUSIVE", hazards: [] });
    return;
  }
  const consentKey = `${table}.${live.name}`;
  if (!declared || !d.ctx.allowDataLoss.has(consentKey)) {
    d.keep(object, `type ${live.type} differs from the declared ${to}; the change rewrites the table and may lose values, so it needs consent "${consentKey}"`);
    return;
  }
  d.change({
    phase: PHASE.columns,
    id: d.id("column", live.name, "type"),
    object,
    action: "alter",
    sql: `${alterColumn(d, live.name)} type ${to} using ${quoteIdent(live.name)}::${to}`,
    lock: "ACCESS EXCLUSIVE",
    consentKey,
    allowedByDeclaration: false,
    hazards: [
      hazard.dataLoss(`Converting ${live.type} to ${to} may fail or lose precision for existing values.`),
      hazard.rewrite(`Changing the type rewrites ${table} and its indexes.`),
      hazard.longLock(`${table} is exclusively locked for the whole rewrite.`),
    ],
  });
}

function dropUndeclared(d: TableDiff, live: CatalogColumn): void {
  const table = d.key;
  const key = `${table}.${live.name}`;
  const object = `column ${live.name} on ${table}`;
  const byDecl = d.decl.allowDataLoss?.dropColumns?.includes(live.name) ?? false;
  d.driftItem(object, "(not declared)", live.type, false);
  const drop = {
    phase: PHASE.columns,
    id: d.id("column", live.name, "drop"),
    object,
    action: "drop",
    sql: `alter table ${tableRef(d.decl)} drop column ${quoteIdent(live.name)}`,
    lock: "ACCESS EXCLUSIVE",
  } as const;
  if (!d.ctx.rows.nonEmptyColumns.has(key)) {
    // Empty when planned: dropped without consent, unless a value arrived before apply.
    d.change({
      ...drop,
      hazards: [],
      precondition: {
        sql: `select ${rowKeyExpr(d.decl)} as row from ${tableRef(d.decl)} where ${quoteIdent(live.name)} is not null order by 1 limit 100`,
        description: `${live.name} is still empty`,
      },
    });
    return;
  }
  if (byDecl || d.ctx.allowDataLoss.has(key)) {
    d.change({
      ...drop,
      consentKey: key,
      allowedByDeclaration: byDecl,
      hazards: [hazard.dataLoss(`Drops column ${live.name} of ${table} and every value it holds.`)],
    });
    return;
  }
  d.keep(object, `not declared but holds values; kept (allow with allowDataLoss.dropColumns or consent "${key}")`);
  // Target: timestamps are timestamptz everywhere, kept columns included.
  if (live.type === "timestamp without time zone")
    d.change({ phase: PHASE.columns, id: d.id("column", live.name, "type"), object, action: "alter", sql: `${alterColumn(d, live.name)} type timestamp with time zone`, lock: "ACCESS EXCLUSIVE", hazards: [] });
}

export function diffColumns(d: TableDiff): void {
  const live = new Map((d.live?.columns ?? []).map((c) => [c.name, c]));
  const declared = new Set(d.decl.columns.map((c) => c.name));
  for (const c of d.decl.columns) {
    const l = live.get(c.name);
    if (!l) {
      addColumn(d, c);
      continue;
    }
    const object = `column ${c.name} on ${d.key}`;
    if (l.type !== c.type) changeType(d, l, c.type, true);
    const want = c.default ? d.ctx.normalized.defaults.get(`${d.key}.${c.name}`) : undefined;
    if (want !== l.default || (l.type !== c.type && want !== undefined)) {
      if (want !== l.default) d.driftItem(`default of ${object}`, want ?? "(none)", l.default ?? "(none)", false);
      d.change({
        phase: PHASE.columns,
        id: d.id("column", c.name, "default"),
        object,
        action: "alter",
        sql: c.default ? `${alterColumn(d, c.name)} set default ${c.default.sql}` : `${alterColumn(d, c.name)} drop default`,
        lock: "ACCESS EXCLUSIVE",
        hazards: [],
      });
    }
    if (c.notNull && !l.notNull) {
      d.driftItem(`nullability of ${object}`, "not null", "null allowed", false);
      setNotNullOnline(d, c.name);
    } else if (!c.notNull && l.notNull && !d.decl.primaryKey.columns.includes(c.name)) {
      d.driftItem(`nullability of ${object}`, "null allowed", "not null", false);
      d.change({ phase: PHASE.columns, id: d.id("column", c.name, "nullable"), object, action: "alter", sql: `${alterColumn(d, c.name)} drop not null`, lock: "ACCESS EXCLUSIVE", hazards: [] });
    }
  }
  for (const l of d.live?.columns ?? []) if (!declared.has(l.name)) dropUndeclared(d, l);
}
