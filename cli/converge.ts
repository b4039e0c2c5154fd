/**
 * Plan-then-apply, shared by `apply` and `up`: prepares the platform on plain
 * PostgreSQL, refuses an applier without BYPASSRLS, prints each statement as it
 * runs (or only the summary) and returns what happened.
 */
import { apply, plan, type ApplyEvent } from "../schema/engine";
import type { ApplyResult, Plan } from "../schema/engine/plan-types";
import type { SchemaModel } from "../schema/model";
import { checkApplier, preparePlatform } from "../schema/platform";
import * as fs from "node:fs";
import { CliError } from "./errors";
import type { Io } from "./io";
import { summarisePlan } from "./plan-summary";
import type { Target } from "./target";

/** Prints each statement as it starts and when it is done. */
export function applyPrinter(io: Io, total: number): (e: ApplyEvent) => void {
  let n = 0;
  return (e) => {
    switch (e.type) {
      case "step-start": {
        if (e.attempt === 1) n += 1;
        const hazards = [...new Set(e.step.hazards.map((h) => h.kind))].join(", ");
        io.out(`-- [${n}/${total}] ${e.step.action} ${e.step.object}${hazards ? `  [${hazards}]` : ""}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ""}`);
        io.out(e.step.sql.trim().replace(/;?$/, ";"));
        break;
      }
      case "step-done":
        io.out(`-- done in ${e.durationMs} ms`);
        break;
      case "blocked":
        io.out(`-- blocked: ${e.step.object}: ${e.rows.length} row(s) break it; left NOT VALID (still enforced for new rows)`);
        break;
      case "retry":
        io.info(`   ${e.group}: ${e.reason}; retrying in ${e.delayMs} ms (attempt ${e.attempt})`);
        break;
      case "waiting-for-lock":
        io.info(`   waiting for another deployment holding ${e.group}${e.holderPid ? ` (pid ${e.holderPid})` : ""}`);
        break;
    }
  };
}

export function summariseApply(p: Plan, r: ApplyResult, ms: number): string[] {
  const appliedIds = new Set(r.steps.filter((s) => s.status === "applied").map((s) => s.id));
  const tables = new Set(p.steps.filter((s) => appliedIds.has(s.id) && s.table).map((s) => s.table));
  const lines = [`Applied ${appliedIds.size} statement(s) on ${tables.size} table(s) in ${(ms / 1000).toFixed(1)}s.`];
  for (const b of r.blocked) lines.push(`Blocked: ${b.table} ${b.constraint} stays NOT VALID: ${b.reason} (${b.rowCount} row(s), e.g. ${b.rows.slice(0, 3).join(", ")})`);
  return lines;
}

/** Reads a plan saved with `plan --format json`; apply checks it is not stale (fingerprint). */
export function readPlanFile(file: string): Plan {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new CliError(`--plan: cannot read ${file}: ${(err as Error).message.split("\n")[0]}`, "save one with `ve-infra plan --format json > plan.json`");
  }
  const p = raw as Partial<Plan> | null;
  if (!p || p.formatVersion !== 1 || !Array.isArray(p.steps) || typeof p.fingerprint !== "string") {
    throw new CliError(`--plan: ${file} is not a plan (formatVersion 1)`, "save one with `ve-infra plan --format json > plan.json`");
  }
  return raw as Plan;
}

export interface ConvergeOptions {
  readonly allowDataLoss: readonly string[];
  readonly tables?: readonly string[];
  /** Print every statement (apply) or only the summary (up). */
  readonly printStatements: boolean;
  /** A reviewed plan to apply as is, instead of planning now. */
  readonly planFile?: string;
}

export async function converge(io: Io, target: Target, model: SchemaModel, opts: ConvergeOptions): Promise<{ plan: Plan; result?: ApplyResult }> {
  if (target.platform === "postgres") {
    await io.step("preparing the platform (API roles, auth schema, auth.uid())", () => preparePlatform(target.db, "postgres"));
  }
  await checkApplier(target.db);
  const allowDataLoss = [...opts.allowDataLoss];
  const p = opts.planFile
    ? readPlanFile(opts.planFile)
    : await io.step(`planning against ${target.display}`, () =>
        plan(target.db, model, { platform: target.platform, allowDataLoss, ...(opts.tables?.length ? { tables: [...opts.tables] } : {}) }),
      );
  for (const line of summarisePlan(p)) io.info(line);
  if (p.steps.length === 0) return { plan: p };
  const started = Date.now();
  const onEvent = opts.printStatements ? applyPrinter(io, p.steps.length) : undefined;
  const result = await io.step(`applying ${p.steps.length} statement(s)`, () => apply(target.db, p, { allowDataLoss, onEvent }));
  for (const line of summariseApply(p, result, Date.now() - started)) {
    if (opts.printStatements) io.out(line);
    else io.info(line);
  }
  return { plan: p, result };
}
