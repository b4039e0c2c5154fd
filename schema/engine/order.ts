/**
 * Table order: a table comes after the tables its foreign keys reference, so a key
 * never points at a table (or a unique key) that a later step creates. Cycles are
 * broken by deferring the closing foreign keys; self-references need nothing.
 */
import type { TableDecl } from "../model/types";
import { tableKey } from "./sql";

export interface TableOrder {
  readonly tables: readonly TableDecl[];
  /** Foreign keys (by `schema.table:name`) that close a cycle and must be added last. */
  readonly deferred: ReadonlySet<string>;
}

export function orderTables(tables: readonly TableDecl[]): TableOrder {
  const byKey = new Map(tables.map((t) => [tableKey(t.schema, t.name), t]));
  const state = new Map<string, "visiting" | "done">();
  const out: TableDecl[] = [];
  const deferred = new Set<string>();
  const visit = (t: TableDecl): void => {
    const k = tableKey(t.schema, t.name);
    state.set(k, "visiting");
    for (const fk of [...t.foreignKeys].sort((a, b) => a.name.localeCompare(b.name))) {
      const ref = tableKey(fk.references.schema, fk.references.table);
      if (ref === k) continue;
      const target = byKey.get(ref);
      if (!target) continue;
      const s = state.get(ref);
      if (s === "visiting") deferred.add(`${k}:${fk.name}`);
      else if (s === undefined) visit(target);
    }
    state.set(k, "done");
    out.push(t);
  };
  for (const t of [...tables].sort((a, b) => tableKey(a.schema, a.name).localeCompare(tableKey(b.schema, b.name))))
    if (!state.has(tableKey(t.schema, t.name))) visit(t);
  return { tables: out, deferred };
}
