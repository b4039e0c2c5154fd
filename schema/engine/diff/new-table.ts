/**
 * A table that does not exist yet is created whole in one transaction: columns, keys
 * and checks, foreign keys, indexes (built plainly: the table is empty), policies,
 * RLS, grants and triggers. Nobody can see it before it commits.
 */

import { addConstraintSql, createIndexSql, createTableSql, foreignKeyDefinition } from "../ddl";
import { PHASE, type TableDiff } from "./context";
import { diffGrants } from "./grants";
import { diffPolicies } from "./policies";
import { diffTriggers } from "./triggers";

/**
 * `deferredForeignKeys` reference tables created later (a cycle between new tables);
 * they are added after every table exists.
 */
export function createTable(d: TableDiff, deferredForeignKeys: ReadonlySet<string>): void {
  const t = d.decl;
  d.change({ phase: PHASE.columns, id: d.id("table", t.name, "create"), object: `table ${d.key}`, action: "create", sql: createTableSql(t), lock: "ACCESS EXCLUSIVE", hazards: [] });
  for (const fk of t.foreignKeys) {
    if (deferredForeignKeys.has(fk.name)) {
      d.post.push({ id: d.id("constraint", fk.name, "create"), object: `foreign key ${fk.name} on ${d.key}`, action: "create", sql: addConstraintSql(t, foreignKeyDefinition(fk), false), transactional: true, lock: "SHARE ROW EXCLUSIVE", hazards: [] });
      continue;
    }
    d.change({ phase: PHASE.constraints, id: d.id("constraint", fk.name, "create"), object: `foreign key ${fk.name} on ${d.key}`, action: "create", sql: addConstraintSql(t, foreignKeyDefinition(fk), false), lock: "SHARE ROW EXCLUSIVE", hazards: [] });
  }
  for (const i of t.indexes)
    d.change({ phase: PHASE.constraints, id: d.id("index", i.name, "create"), object: `index ${i.name} on ${d.key}`, action: "create", sql: createIndexSql(t, i, { concurrently: false }), lock: "ACCESS EXCLUSIVE", hazards: [] });
  diffPolicies(d);
  diffGrants(d, { fresh: true });
  diffTriggers(d);
}

