/**
 * Keys, foreign keys and checks of an existing table, compared as structured facts
 * (columns, referenced table and columns, actions, normalised check expression),
 * never as definition strings.
 *
 * New foreign keys and checks are added NOT VALID (new rows are checked at once, old
 * rows are not scanned under the exclusive lock) and validated later, online, only
 * when no row breaks them. Unique and primary keys attach to an index built
 * concurrently beforehand.
 */
import type { CheckDecl, ForeignKeyDecl, TableDecl, UniqueDecl } from "../../model/types";
import type { CatalogConstraint } from "../catalog-types";
import type { LockMode, PlanStep } from "../plan-types";
import { addConstraintSql, checkDefinition, createIndexSql, dropConstraintSql, dropIndexSql, foreignKeyDefinition, tableRef, validateConstraintSql } from "../ddl";
import { hazard, INDEX_BUILD_MESSAGE } from "../hazards";
import { qualifiedName, quoteIdent } from "../sql";
import { pendingNotNullHelpers } from "./columns";
import { PHASE, rowKeyExpr, shown, whenValid, type TableDiff, type Validation } from "./context";

type Declared =
  | { readonly kind: "p" | "u"; readonly decl: UniqueDecl }
  | { readonly kind: "f"; readonly decl: ForeignKeyDecl }
  | { readonly kind: "c"; readonly decl: CheckDecl };

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return sameList([...a].sort(), [...b].sort());
}

export function fkMatches(fk: ForeignKeyDecl, live: CatalogConstraint): boolean {
  const l = live.foreignKey;
  if (live.type !== "f" || !l) return false;
  const setCols = fk.onDeleteSetColumns ?? [];
  return (
    sameList(fk.columns, live.columns) &&
    fk.references.schema === l.refSchema &&
    fk.references.table === l.refTable &&
    sameList(fk.references.columns, l.refColumns) &&
    fk.onDelete === l.onDelete &&
    l.onUpdate === "no action" &&
    sameSet(setCols, l.setColumns)
  );
}

function matches(d: TableDiff, c: Declared, live: CatalogConstraint): boolean {
  if (c.kind !== live.type) return false;
  if (c.kind === "f") return fkMatches(c.decl, live);
  if (c.kind === "c") return d.ctx.normalized.checks.get(`${d.key}:${c.decl.name}`) === live.check;
  return sameList(c.decl.columns, live.columns);
}

function describe(d: TableDiff, c: Declared): string {
  if (c.kind === "f") return foreignKeyDefinition(c.decl);
  if (c.kind === "c") return `CHECK (${d.ctx.normalized.checks.get(`${d.key}:${c.decl.name}`) ?? c.decl.expression.sql})`;
  return `${c.kind === "p" ? "PRIMARY KEY" : "UNIQUE"} (${c.decl.columns.join(", ")})`;
}

const KIND_WORD: Record<Declared["kind"], string> = { p: "primary key", u: "unique constraint", f: "foreign key", c: "check" };

function violations(d: TableDiff, c: Declared): Pick<Validation, "violationsSql" | "countSql" | "reason"> {
  const ref = tableRef(d.decl);
  if (c.kind === "f") {
    const fk = c.decl;
    const notNull = fk.columns.map((col) => `c.${quoteIdent(col)} is not null`).join(" and ");
    const join = fk.columns.map((col, i) => `p.${quoteIdent(fk.references.columns[i])} = c.${quoteIdent(col)}`).join(" and ");
    // MATCH SIMPLE: a key with any NULL column references nothing and always complies.
    const from = `from ${ref} c where ${notNull} and not exists (select 1 from ${qualifiedName(fk.references.schema, fk.references.table)} p where ${join})`;
    return {
      violationsSql: `select ${rowKeyExpr(d.decl, "c")} as row ${from} order by 1 limit 100`,
      countSql: `select count(*)::int as n ${from}`,
      reason: `rows of ${d.key} reference no row of ${fk.references.schema}.${fk.references.table} (${fk.references.columns.join(", ")})`,
    };
  }
  const expr = c.kind === "c" ? c.decl.expression.sql : "true";
  // A CHECK fails only when its expression is false, not when it is NULL.
  const from = `from ${ref} where (${expr}) is false`;
  return { violationsSql: `select ${rowKeyExpr(d.decl)} as row ${from} order by 1 limit 100`, countSql: `select count(*)::int as n ${from}`, reason: `rows of ${d.key} break CHECK (${expr})` };
}

function addValidation(d: TableDiff, c: Declared): void {
  d.validations.push({ constraint: c.decl.name, object: `${KIND_WORD[c.kind]} ${c.decl.name} on ${d.key}`, validateSql: validateConstraintSql(d.decl, c.decl.name), ...violations(d, c) });
}

function addDeclared(d: TableDiff, c: Declared): void {
  const object = `${KIND_WORD[c.kind]} ${c.decl.name} on ${d.key}`;
  if (c.kind === "f" || c.kind === "c") {
    const def = c.kind === "f" ? foreignKeyDefinition(c.decl) : checkDefinition(c.decl);
    d.change({
      phase: PHASE.constraints,
      id: d.id("constraint", c.decl.name, "create"),
      object,
      action: "create",
      sql: addConstraintSql(d.decl, def, true),
      // ADD FOREIGN KEY takes SHARE ROW EXCLUSIVE on both tables; a CHECK needs ACCESS EXCLUSIVE.
      lock: c.kind === "f" ? "SHARE ROW EXCLUSIVE" : "ACCESS EXCLUSIVE",
      ...(c.kind === "f" ? { alsoLocks: parentLock(d, c.decl.references, "SHARE ROW EXCLUSIVE") } : {}),
      hazards: [],
    });
    addValidation(d, c);
    return;
  }
  attachKey(d, c.kind, c.decl, object);
}

/** A unique or primary key: the index is built concurrently first, then attached. */
function attachKey(d: TableDiff, kind: "p" | "u", decl: UniqueDecl, object: string): void {
  const liveIndex = d.live?.indexes.find((i) => i.name === decl.name);
  const usable = liveIndex && liveIndex.valid && liveIndex.unique && !liveIndex.constraint && !liveIndex.predicate && sameList(liveIndex.columns, decl.columns);
  if (liveIndex && !usable) {
    d.pre.push({ id: d.id("index", decl.name, "rebuild"), object: `index ${decl.name} on ${d.key}`, action: "rebuild", sql: dropIndexSql(d.decl.schema, decl.name, true), transactional: false, lock: "SHARE UPDATE EXCLUSIVE", hazards: [] });
  }
  if (!usable) {
    d.pre.push({
      id: d.id("index", decl.name, "create"),
      object: `index ${decl.name} on ${d.key}`,
      action: "create",
      sql: createIndexSql(d.decl, { name: decl.name, columns: decl.columns, method: "btree", unique: true }, { concurrently: true }),
      transactional: false,
      lock: "SHARE UPDATE EXCLUSIVE",
      hazards: [hazard.indexBuild(INDEX_BUILD_MESSAGE)],
      cleanupSql: dropIndexSql(d.decl.schema, decl.name, true),
    });
  }
  d.change({
    phase: PHASE.constraints,
    id: d.id("constraint", decl.name, "create"),
    object,
    action: "create",
    sql: `alter table ${tableRef(d.decl)} add constraint ${quoteIdent(decl.name)} ${kind === "p" ? "primary key" : "unique"} using index ${quoteIdent(decl.name)}`,
    lock: "ACCESS EXCLUSIVE",
    hazards: [],
  });
}

function declaredOf(t: TableDecl): Declared[] {
  return [
    { kind: "p", decl: t.primaryKey },
    ...t.uniques.map((decl): Declared => ({ kind: "u", decl })),
    ...t.foreignKeys.map((decl): Declared => ({ kind: "f", decl })),
    ...t.checks.map((decl): Declared => ({ kind: "c", decl })),
  ];
}

/** Names of indexes the constraint diff owns (prebuilt key indexes), so the index diff leaves them alone. */
export function constraintIndexNames(t: TableDecl): Set<string> {
  return new Set([t.primaryKey.name, ...t.uniques.map((u) => u.name)]);
}

export function diffConstraints(d: TableDiff): void {
  const live = new Map((d.live?.constraints ?? []).map((c) => [c.name, c]));
  const declared = declaredOf(d.decl);
  const declaredNames = new Set(declared.map((c) => c.decl.name));
  const used = new Set<string>();
  for (const c of declared) {
    const l = live.get(c.decl.name);
    if (l && matches(d, c, l)) {
      used.add(l.name);
      if (!l.validated) addValidation(d, c);
      continue;
    }
    const object = `${KIND_WORD[c.kind]} ${c.decl.name} on ${d.key}`;
    if (l) {
      used.add(l.name);
      d.driftItem(object, describe(d, c), shown(l), false);
      if (c.kind === "p") {
        d.keep(object, `primary key ${shown(l)} differs from the declared ${describe(d, c)}; changing a primary key is not planned automatically`);
        continue;
      }
      d.change({ phase: PHASE.rename, id: d.id("constraint", l.name, "drop"), object, action: "replace", sql: dropConstraintSql(d.decl, l.name), lock: "ACCESS EXCLUSIVE", alsoLocks: liveParentLock(d, l), hazards: [] });
      addDeclared(d, c);
      continue;
    }
    // Same object under another name (a hand-made or older constraint): rename, do not rebuild.
    const twin = [...live.values()].find((x) => !declaredNames.has(x.name) && !used.has(x.name) && matches(d, c, x));
    if (twin) {
      used.add(twin.name);
      d.driftItem(object, `named ${c.decl.name}`, `named ${twin.name}`, false);
      d.change({ phase: PHASE.rename, id: d.id("constraint", twin.name, "rename"), object, action: "alter", sql: `alter table ${tableRef(d.decl)} rename constraint ${quoteIdent(twin.name)} to ${quoteIdent(c.decl.name)}`, lock: "ACCESS EXCLUSIVE", hazards: [] });
      if (!twin.validated) addValidation(d, c);
      continue;
    }
    if (d.live) d.driftItem(object, describe(d, c), "(missing)", false);
    addDeclared(d, c);
  }
  const helpers = pendingNotNullHelpers(d);
  for (const l of d.live?.constraints ?? []) {
    if (used.has(l.name) || (l.type === "c" && helpers.has(l.name))) continue;
    const object = `constraint ${l.name} on ${d.key}`;
    d.driftItem(object, "(not declared)", shown(l), false);
    if (l.type === "x") {
      d.keep(object, "exclusion constraints are not managed");
      continue;
    }
    if (l.type === "c") {
      d.change({ phase: PHASE.rename, id: d.id("constraint", l.name, "drop"), object, action: "drop", sql: dropConstraintSql(d.decl, l.name), lock: "ACCESS EXCLUSIVE", hazards: [] });
      continue;
    }
    // A foreign key replaced by a declared one over the same columns (e.g. made composite to
    // stay within a tenant) is dropped only once the replacement is valid.
    const replacement = l.type === "f" && l.foreignKey
      ? d.decl.foreignKeys.find((fk) => fk.references.schema === l.foreignKey?.refSchema && fk.references.table === l.foreignKey?.refTable && l.columns.every((col) => fk.columns.includes(col)))
      : undefined;
    d.post.push({
      id: d.id("constraint", l.name, "drop"),
      object,
      action: "drop",
      sql: dropConstraintSql(d.decl, l.name),
      transactional: true,
      lock: "ACCESS EXCLUSIVE",
      alsoLocks: liveParentLock(d, l),
      hazards: [],
      ...(replacement ? { dependsOnValid: replacement.name, precondition: whenValid(d, replacement.name), keptReason: `superseded by ${replacement.name}, kept until that constraint is valid` } : {}),
    });
  }
}

/**
 * The referenced table's lock for adding or dropping a foreign key (adding takes
 * SHARE ROW EXCLUSIVE on it, dropping ACCESS EXCLUSIVE), so apply takes it before the
 * table's own; a self-reference needs nothing more.
 */
function parentLock(d: TableDiff, ref: { readonly schema: string; readonly table: string }, mode: LockMode): PlanStep["alsoLocks"] {
  const key = `${ref.schema}.${ref.table}`;
  return key === d.key ? [] : [{ table: key, mode }];
}

function liveParentLock(d: TableDiff, l: { readonly type: string; readonly foreignKey?: { readonly refSchema: string; readonly refTable: string } }): PlanStep["alsoLocks"] {
  return l.type === "f" && l.foreignKey ? parentLock(d, { schema: l.foreignKey.refSchema, table: l.foreignKey.refTable }, "ACCESS EXCLUSIVE") : [];
}
