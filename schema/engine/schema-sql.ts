/**
 * The whole schema as one SQL file, from the model alone (no database): exactly what
 * plan() emits against an empty database, through the same builders.
 */
import type { SchemaModel } from "../model/types";
import type { Catalog } from "./catalog-types";
import { TableDiff, type DiffContext } from "./diff/context";
import { diffGlobal } from "./diff/functions";
import { createTable } from "./diff/new-table";
import { orderTables } from "./order";
import type { PlanStep } from "./plan-types";
import { renderSql } from "./render";
import { tableKey } from "./sql";
import { groupSteps, onlineStep } from "./steps";

export function renderSchemaSql(model: SchemaModel): string {
  // Every database has `public`; other managed schemas are created.
  const empty: Catalog = { database: "", serverVersion: 0, currentUser: "", schemas: ["public"], extensions: [], roles: [], tables: [], functions: [] };
  const roles = new Set<string>(["PUBLIC", ...model.roles.map((r) => r.name)]);
  for (const t of model.tables) {
    t.grants.forEach((g) => roles.add(g.role.toLowerCase() === "public" ? "PUBLIC" : g.role));
    t.policies.forEach((p) => p.roles.forEach((r) => roles.add(r.toLowerCase() === "public" ? "PUBLIC" : r)));
  }
  const none = new Map<string, string>();
  const ctx: DiffContext = {
    model,
    normalized: { defaults: none, checks: none, predicates: none, using: none, withCheck: none },
    rows: { nonEmptyColumns: new Set(), nonEmptyTables: new Set() },
    allowDataLoss: new Set(),
    managedRoles: roles,
    currentUser: "",
    serverVersion: 0,
  };
  const global = diffGlobal(model, empty);
  const steps: PlanStep[] = [...global.pre];
  const order = orderTables(model.tables);
  const diffs = order.tables.map((t) => {
    const key = tableKey(t.schema, t.name);
    const d = new TableDiff(t, undefined, ctx);
    createTable(d, new Set(t.foreignKeys.filter((fk) => order.deferred.has(`${key}:${fk.name}`)).map((fk) => fk.name)));
    return d;
  });
  for (const d of diffs) steps.push(...groupSteps(d.key, d.group, false));
  for (const d of diffs) steps.push(...d.post.map((s) => onlineStep(d.key, s)));
  return renderSql({ steps }, ["Generated from the declared model by renderSchemaSql; do not edit."]);
}
