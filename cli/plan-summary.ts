/**
 * One-paragraph summaries of a plan for the terminal: how many statements, on
 * which tables, and which hazards, with SECURITY counted (and access-widening
 * changes called out) before everything else so a reviewer cannot miss them.
 */
import type { HazardKind, Plan, PlanStep } from "../schema/engine/plan-types";

export function hazardCounts(steps: readonly PlanStep[]): Map<HazardKind, number> {
  const counts = new Map<HazardKind, number>();
  for (const s of steps) for (const h of new Set(s.hazards.map((x) => x.kind))) counts.set(h, (counts.get(h) ?? 0) + 1);
  return counts;
}

export function securitySteps(steps: readonly PlanStep[]): PlanStep[] {
  return steps.filter((s) => s.hazards.some((h) => h.kind === "SECURITY"));
}

export function wideningSteps(steps: readonly PlanStep[]): PlanStep[] {
  return steps.filter((s) => s.hazards.some((h) => h.kind === "SECURITY" && h.widensAccess === true));
}

/**
 * Undeclared objects the engine keeps because dropping them would lose data: the
 * CLI's refusal of data loss. Each names the flag that would let it go.
 */
export function keptLines(plan: Plan, limit = 20): string[] {
  const lines = plan.kept.slice(0, limit).map((k) => {
    const consent = /consent "([^"]+)"/.exec(k.reason)?.[1];
    return `Kept: ${k.object}: ${k.reason}${consent ? ` -> to drop it: --allow-data-loss ${consent}` : ""}`;
  });
  if (plan.kept.length > limit) lines.push(`Kept: ... and ${plan.kept.length - limit} more (--format json lists them all)`);
  return lines;
}

export function summarisePlan(plan: Plan): string[] {
  if (plan.steps.length === 0) {
    const lines = [`No changes: ${plan.database} matches the model (${plan.scope.length} tables).`];
    if (plan.blocked.length) lines.push(`${plan.blocked.length} constraint(s) stay NOT VALID because existing rows break them.`);
    return [...lines, ...keptLines(plan)];
  }
  const tables = new Set(plan.steps.flatMap((s) => (s.table ? [s.table] : [])));
  const global = plan.steps.filter((s) => !s.table).length;
  const counts = hazardCounts(plan.steps);
  const order: HazardKind[] = ["SECURITY", "DATA_LOSS", "TABLE_REWRITE", "LONG_LOCK", "INDEX_BUILD"];
  const hazards = order.filter((k) => counts.has(k)).map((k) => `${counts.get(k)} ${k}`);
  const where = `${tables.size} table(s)${global ? ` and ${global} schema-wide` : ""}`;
  const lines = [`Plan: ${plan.steps.length} statement(s) on ${where}${hazards.length ? `; hazards: ${hazards.join(", ")}` : ""}.`];
  const widening = [...new Set(wideningSteps(plan.steps).map((s) => s.object))];
  if (widening.length) {
    const shown = widening.slice(0, 5).join("; ");
    lines.push(`!! ${widening.length} change(s) WIDEN ACCESS: ${shown}${widening.length > 5 ? `; and ${widening.length - 5} more (marked in the plan)` : ""}`);
  }
  const loss = plan.steps.filter((s) => s.hazards.some((h) => h.kind === "DATA_LOSS") && !s.allowedByDeclaration);
  if (loss.length) lines.push(`Data loss needs consent: ${loss.map((s) => `--allow-data-loss ${s.consentKey ?? s.id}`).join(" ")}`);
  if (plan.blocked.length) lines.push(`${plan.blocked.length} constraint(s) stay NOT VALID because existing rows break them.`);
  return [...lines, ...keptLines(plan)];
}
