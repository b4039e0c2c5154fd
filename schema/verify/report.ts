/**
 * Plain-text renderings of findings and isolation reports, for the command line and
 * pull-request comments. Pure functions of the data: no colour, no terminal width.
 */
import type { Finding, IsolationReport } from "./types";

const ORDER = { error: 0, warn: 1, info: 2 } as const;

/** One line per finding, errors first: `ERROR  check  object: message`. */
export function renderFindings(findings: readonly Finding[]): string {
  if (findings.length === 0) return "no findings";
  return [...findings]
    .sort((a, b) => ORDER[a.level] - ORDER[b.level] || a.check.localeCompare(b.check) || a.object.localeCompare(b.object))
    .map((f) => `${f.level.toUpperCase().padEnd(5)}  ${f.check}  ${f.object}: ${f.message}`)
    .join("\n");
}

/** The summary line, then every attempt that did not go as expected with expected/actual. */
export function renderIsolationSummary(report: IsolationReport): string {
  const s = report.summary;
  const head = `isolation: ${s.passed}/${s.attempts} attempts as expected; ${s.breaches} breach(es), ${s.failedLegitimate} legitimate action(s) failed, ${s.inconclusive} inconclusive`;
  const failed = report.attempts.filter((a) => !a.ok).map((a) => `  ${a.actor.padEnd(4)} ${a.command.padEnd(7)} ${a.object} ${a.kind}: expected ${a.expected}, got ${a.actual} (${a.detail})`);
  const unattached = report.findings.filter((f) => !report.attempts.some((a) => !a.ok && a.object === f.object && f.message.startsWith(a.description)));
  return [head, ...failed, ...(unattached.length > 0 ? [renderFindings(unattached)] : [])].join("\n");
}
