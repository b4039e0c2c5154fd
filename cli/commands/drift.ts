/**
 * `ve-infra drift`: for a deployed environment, what differs between the database
 * and the model, security drift first (RLS off, a policy changed, a grant widened).
 * The scheduled workflow runs it and fails on security drift (exit 3).
 */
import { plan, renderPlan } from "../../schema/engine";
import type { DriftItem, Plan, PlanStep } from "../../schema/engine/plan-types";
import { TARGET_FLAGS } from "../args";
import { defineCommand } from "../command";
import { EXIT } from "../errors";
import { loadModel } from "../model";
import { securitySteps } from "../plan-summary";
import { resolveTarget } from "../target";

const usage = `
Usage: ve-infra drift [--format text|json|markdown] [--detailed-exitcode] [--stack NAME | --database-url URL]

Compares a deployed database with the model, like plan, and reports the
differences with security drift first. A SECURITY statement in the plan counts as
security drift too: after a deploy from main there should be none.

Exit codes: 0 no security drift (other drift is reported; with --detailed-exitcode
it exits 2), 3 security drift, 1 error.
`;

export interface DriftReport {
  readonly database: string;
  readonly security: readonly DriftItem[];
  readonly other: readonly DriftItem[];
  /** SECURITY statements of the plan that no drift item explains. */
  readonly securityChanges: readonly PlanStep[];
  readonly changes: number;
}

export function driftReport(p: Plan): DriftReport {
  const security = p.drift.filter((d) => d.security);
  const explained = new Set(security.map((d) => d.object));
  return {
    database: p.database,
    security,
    other: p.drift.filter((d) => !d.security),
    securityChanges: securitySteps(p.steps).filter((s) => !explained.has(s.object)),
    changes: p.steps.length,
  };
}

function item(d: DriftItem): string {
  const where = d.table && !d.object.includes(d.table) ? `${d.table}: ` : "";
  return `${where}${d.object}\n    expected: ${d.expected}\n    actual:   ${d.actual}`;
}

function renderText(r: DriftReport): string {
  const out: string[] = [];
  const nSec = r.security.length + r.securityChanges.length;
  out.push(nSec ? `SECURITY DRIFT in ${r.database}: ${nSec} finding(s)` : `No security drift in ${r.database}.`);
  for (const d of r.security) out.push(`  ! ${item(d)}`);
  for (const s of r.securityChanges) out.push(`  ! ${s.object}: ${s.hazards.filter((h) => h.kind === "SECURITY").map((h) => h.message).join(" ")}`);
  if (r.other.length) {
    out.push(`Other drift: ${r.other.length}`);
    for (const d of r.other) out.push(`  - ${item(d)}`);
  }
  out.push(r.changes ? `${r.changes} statement(s) would converge it (run plan for the SQL).` : "The database matches the model.");
  return out.join("\n");
}

function renderMarkdown(r: DriftReport, p: Plan): string {
  const esc = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const rows = (items: readonly DriftItem[]): string[] => items.map((d) => `| ${esc(d.table ?? "")} | ${esc(d.object)} | \`${esc(d.expected)}\` | \`${esc(d.actual)}\` |`);
  const nSec = r.security.length + r.securityChanges.length;
  const out = [`## Drift: ${r.database}`, "", nSec ? `**:rotating_light: Security drift: ${nSec} finding(s)**` : "No security drift.", ""];
  if (r.security.length) out.push("| table | object | expected | actual |", "|---|---|---|---|", ...rows(r.security), "");
  for (const s of r.securityChanges) out.push(`- **${esc(s.object)}**: ${esc(s.hazards.map((h) => h.message).join(" "))}`);
  if (r.other.length) out.push("", `### Other drift (${r.other.length})`, "", "| table | object | expected | actual |", "|---|---|---|---|", ...rows(r.other));
  if (p.steps.length) out.push("", "<details><summary>Plan to converge</summary>", "", renderPlan(p, "markdown"), "", "</details>");
  return out.join("\n");
}

export const driftCommand = defineCommand({
  name: "drift",
  summary: "report drift of a deployed database, security drift first",
  usage,
  flags: {
    format: { type: "string", value: "F", choices: ["text", "json", "markdown"], default: "text", description: "output format" },
    "detailed-exitcode": { type: "boolean", description: "exit 2 on any drift that is not security drift" },
    ...TARGET_FLAGS,
  },
  async run(flags, io) {
    const model = loadModel(flags.model);
    const target = resolveTarget(flags);
    const p = await io.step(`checking ${target.display} for drift`, () => plan(target.db, model, { platform: target.platform }));
    const report = driftReport(p);
    if (flags.format === "json") io.out(JSON.stringify({ ...report, securityChanges: report.securityChanges.map((s) => s.id) }, null, 2));
    else if (flags.format === "markdown") io.out(renderMarkdown(report, p));
    else io.out(renderText(report));
    if (report.security.length + report.securityChanges.length > 0) return EXIT.failed;
    if (flags["detailed-exitcode"] && (report.other.length > 0 || p.steps.length > 0)) return EXIT.changes;
    return EXIT.ok;
  },
});
