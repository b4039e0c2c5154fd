/**
 * What a provider records about a plan in its outputs: small, stable, reviewable.
 * A preview cannot show SQL (dynamic providers have no detailed diff); the pull-request
 * comment from `ve-infra plan` does. State keeps only counts, ids and a hash.
 */
import type { Plan } from "../engine/plan-types";

export interface PlanSummary {
  /** Steps the last plan still wanted after converging (0 = in sync). */
  readonly pendingSteps: number;
  /** Ids of those steps, e.g. "public.tasks:policy:tasks_select:create". */
  readonly pendingStepIds: string[];
  /** Hash of the remaining steps' SQL: changes whenever what would run changes. */
  readonly planHash: string;
  /** Constraints left NOT VALID because existing rows break them (see `ve-infra plan`). */
  readonly blocked: { constraint: string; rowCount: number; reason: string }[];
  /** Differences a refresh found between the declaration and the live database. */
  readonly drift: { object: string; expected: string; actual: string; security: boolean }[];
}

/**
 * `owner` limits drift and blocked constraints to the resource's own objects: a plan
 * also reports things it keeps elsewhere (an undeclared function), which must not
 * make this resource look changed forever.
 */
export function summarise(plan: Plan, owner?: string): PlanSummary {
  // Required here, not imported: this runs inside serialized providers, where a
  // captured import of a Node built-in can fail to serialize.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHash } = require("crypto") as typeof import("crypto");
  const sql = plan.steps.map((s) => `${s.id}\n${s.sql}`).join("\n;\n");
  return {
    pendingSteps: plan.steps.length,
    pendingStepIds: plan.steps.map((s) => s.id),
    planHash: createHash("sha256").update(sql).digest("hex").slice(0, 16),
    blocked: plan.blocked.filter((b) => owner === undefined || b.table === owner).map((b) => ({ constraint: `${b.table}.${b.constraint}`, rowCount: b.rowCount, reason: b.reason })),
    drift: plan.drift.filter((d) => owner === undefined || d.table === owner || (d.table === undefined && d.object.includes(`${owner}(`))).map((d) => ({ object: d.object, expected: d.expected, actual: d.actual, security: d.security })),
  };
}

/** Steps that only validate constraints whose rows still break them are not pending work. */
export function isConverged(s: PlanSummary): boolean {
  return s.pendingSteps === 0;
}
