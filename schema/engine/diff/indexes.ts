/**
 * Indexes of an existing table. New and changed indexes are built concurrently
 * before the table's transaction (writes continue); an INVALID leftover of an
 * interrupted build is dropped and rebuilt; an undeclared index that matches a
 * declared one is renamed instead of rebuilt; undeclared and duplicate indexes are
 * dropped concurrently after everything else.
 */
import type { IndexDecl } from "../../model/types";
import type { CatalogIndex } from "../catalog-types";
import { createIndexSql, dropIndexSql } from "../ddl";
import { hazard, INDEX_BUILD_MESSAGE } from "../hazards";
import { qualifiedName, quoteIdent } from "../sql";
import { constraintIndexNames } from "./constraints";
import { PHASE, shown, type TableDiff } from "./context";

const MAX_IDENT = 63;

/** Name for a replacement built beside the old index; PostgreSQL truncates identifiers at 63 bytes. */
export function replacementName(name: string): string {
  const suffix = "_ccnew";
  return name.length + suffix.length <= MAX_IDENT ? `${name}${suffix}` : `${name.slice(0, MAX_IDENT - suffix.length)}${suffix}`;
}

function same(d: TableDiff, i: IndexDecl, l: CatalogIndex): boolean {
  const predicate = i.where ? d.ctx.normalized.predicates.get(`${d.key}:${i.name}`) : undefined;
  return (
    l.valid &&
    !l.constraint &&
    l.method === i.method &&
    l.unique === i.unique &&
    l.columns.length === i.columns.length &&
    l.columns.every((c, k) => c === i.columns[k]) &&
    l.predicate === predicate
  );
}

function describe(d: TableDiff, i: IndexDecl): string {
  const predicate = i.where ? ` WHERE ${d.ctx.normalized.predicates.get(`${d.key}:${i.name}`) ?? i.where.sql}` : "";
  return `${i.unique ? "UNIQUE " : ""}USING ${i.method} (${i.columns.join(", ")})${predicate}`;
}

function build(d: TableDiff, i: IndexDecl, name: string): void {
  d.pre.push({
    id: d.id("index", name, "create"),
    object: `index ${name} on ${d.key}`,
    action: "create",
    sql: createIndexSql(d.decl, i, { concurrently: true, name }),
    transactional: false,
    lock: "SHARE UPDATE EXCLUSIVE",
    hazards: [hazard.indexBuild(INDEX_BUILD_MESSAGE)],
    cleanupSql: dropIndexSql(d.decl.schema, name, true),
  });
}

function dropOnline(d: TableDiff, name: string, action: "drop" | "rebuild", into: "pre" | "post"): void {
  d[into].push({ id: d.id("index", name, action === "drop" ? "drop" : "drop-invalid"), object: `index ${name} on ${d.key}`, action, sql: dropIndexSql(d.decl.schema, name, true), transactional: false, lock: "SHARE UPDATE EXCLUSIVE", hazards: [] });
}

export function diffIndexes(d: TableDiff): void {
  const live = new Map((d.live?.indexes ?? []).map((i) => [i.name, i]));
  const keyIndexes = constraintIndexNames(d.decl);
  const declaredNames = new Set(d.decl.indexes.map((i) => i.name));
  const used = new Set<string>();
  for (const i of d.decl.indexes) {
    const l = live.get(i.name);
    if (l && same(d, i, l)) {
      used.add(l.name);
      continue;
    }
    const object = `index ${i.name} on ${d.key}`;
    if (l && !l.valid) {
      used.add(l.name);
      d.driftItem(object, describe(d, i), `${shown(l)} (INVALID)`, false);
      dropOnline(d, l.name, "rebuild", "pre");
      build(d, i, i.name);
      continue;
    }
    if (l) {
      // Build the new shape beside the old one, then swap names inside the table's transaction.
      used.add(l.name);
      d.driftItem(object, describe(d, i), shown(l), false);
      const tmp = replacementName(i.name);
      const prebuilt = live.get(tmp);
      if (prebuilt) used.add(tmp);
      if (!prebuilt || !same(d, i, prebuilt)) {
        if (prebuilt) dropOnline(d, tmp, "rebuild", "pre");
        build(d, i, tmp);
      }
      d.change({ phase: PHASE.rename, id: d.id("index", i.name, "replace"), object, action: "replace", sql: dropIndexSql(d.decl.schema, i.name, false), lock: "ACCESS EXCLUSIVE", hazards: [] });
      d.change({ phase: PHASE.rename, id: d.id("index", tmp, "rename"), object, action: "alter", sql: `alter index ${qualifiedName(d.decl.schema, tmp)} rename to ${quoteIdent(i.name)}`, lock: "ACCESS EXCLUSIVE", hazards: [] });
      continue;
    }
    const twin = [...live.values()].find((x) => !declaredNames.has(x.name) && !keyIndexes.has(x.name) && !used.has(x.name) && same(d, i, x));
    if (twin) {
      used.add(twin.name);
      d.driftItem(object, `named ${i.name}`, `named ${twin.name}`, false);
      d.change({ phase: PHASE.rename, id: d.id("index", twin.name, "rename"), object, action: "alter", sql: `alter index ${qualifiedName(d.decl.schema, twin.name)} rename to ${quoteIdent(i.name)}`, lock: "ACCESS EXCLUSIVE", hazards: [] });
      continue;
    }
    if (d.live) d.driftItem(object, describe(d, i), "(missing)", false);
    build(d, i, i.name);
  }
  for (const l of d.live?.indexes ?? []) {
    if (used.has(l.name) || l.constraint || keyIndexes.has(l.name)) continue;
    d.driftItem(`index ${l.name} on ${d.key}`, "(not declared)", shown(l), false);
    dropOnline(d, l.name, "drop", "post");
  }
}
