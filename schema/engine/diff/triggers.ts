/**
 * Triggers and the table comment. A trigger cannot be altered in place, so a changed
 * one is dropped and created again inside the table's transaction.
 */
import type { TriggerDecl } from "../../model/types";
import type { CatalogTrigger } from "../catalog-types";
import { commentSql, createTriggerSql, dropTriggerSql } from "../ddl";
import { PHASE, type TableDiff } from "./context";

function describe(t: { timing: string; events: readonly string[]; forEach: string; fn: string }): string {
  return `${t.timing.toUpperCase()} ${[...t.events].sort().join(" OR ").toUpperCase()} FOR EACH ${t.forEach.toUpperCase()} EXECUTE FUNCTION ${t.fn}()`;
}
const declared = (t: TriggerDecl): string => describe({ ...t, fn: `${t.function.schema}.${t.function.name}` });
const live = (t: CatalogTrigger): string => describe({ ...t, fn: `${t.functionSchema}.${t.functionName}` }) + (t.enabled ? "" : " (DISABLED)");

export function diffTriggers(d: TableDiff): void {
  const have = new Map((d.live?.triggers ?? []).map((t) => [t.name, t]));
  const names = new Set(d.decl.triggers.map((t) => t.name));
  for (const l of d.live?.triggers ?? []) {
    if (names.has(l.name)) continue;
    const object = `trigger ${l.name} on ${d.key}`;
    d.driftItem(object, "(not declared)", l.definition, false);
    d.change({ phase: PHASE.unhook, id: d.id("trigger", l.name, "drop"), object, action: "drop", sql: dropTriggerSql(d.decl, l.name), lock: "ACCESS EXCLUSIVE", hazards: [] });
  }
  for (const t of d.decl.triggers) {
    const object = `trigger ${t.name} on ${d.key}`;
    const l = have.get(t.name);
    if (l && live(l) === declared(t)) continue;
    if (l) {
      d.driftItem(object, declared(t), live(l), false);
      d.change({ phase: PHASE.unhook, id: d.id("trigger", t.name, "drop"), object, action: "replace", sql: dropTriggerSql(d.decl, t.name), lock: "ACCESS EXCLUSIVE", hazards: [] });
    } else if (d.live) d.driftItem(object, declared(t), "(missing)", false);
    // CREATE TRIGGER takes SHARE ROW EXCLUSIVE: writers wait, readers do not.
    d.change({ phase: PHASE.triggers, id: d.id("trigger", t.name, "create"), object, action: "create", sql: createTriggerSql(d.decl, t), lock: "SHARE ROW EXCLUSIVE", hazards: [] });
  }
  if ((d.decl.comment ?? undefined) !== (d.live?.comment ?? undefined) && (d.live || d.decl.comment !== undefined)) {
    if (d.live) d.driftItem(`comment on ${d.key}`, d.decl.comment ?? "(none)", d.live.comment ?? "(none)", false);
    d.change({ phase: PHASE.triggers, id: d.id("comment", d.decl.name, "alter"), object: `comment on ${d.key}`, action: "alter", sql: commentSql(d.decl, d.decl.comment), lock: "SHARE UPDATE EXCLUSIVE", hazards: [] });
  }
}
