/**
 * RESULTS.md from one benchmark run. Only measured values appear; a cell with no
 * measurement says why (timed out, failed, not applicable).
 */
import type { CheckResult } from "./check";
import type { Convergence } from "./converge";
import type { DriftItem } from "./drift";
import { median } from "./measure";
import type { OursStats } from "./tools";

export interface ToolResult {
  readonly tool: string;
  readonly plans: boolean;
  readonly attempted: number;
  readonly ok: number;
  readonly timedOut: number;
  readonly medianMs?: number;
  readonly minMs?: number;
  readonly peakRssMb?: number;
  readonly cpuMs?: number;
  readonly failure?: string;
  readonly ours?: readonly OursStats[];
  readonly check?: CheckResult;
  readonly convergence?: Convergence;
}

export interface SizeResult {
  readonly n: number;
  readonly driftTotal: number;
  readonly drift: readonly DriftItem[];
  readonly setupMs: number;
  readonly loadBefore: number;
  readonly loadAfter: number;
  readonly tools: readonly ToolResult[];
}

export interface RunInfo {
  readonly command: string;
  readonly date: string;
  readonly durationS: number;
  readonly machine: string;
  readonly server: string;
  /** sha256 prefix of the schema/engine sources measured (snapshotted at the start of the run). */
  readonly engineDigest: string;
  readonly runs: number;
  readonly timeoutS: number;
}

const ms = (x: number | undefined): string => (x === undefined ? "–" : x.toFixed(0));

function convergenceCell(c: Convergence | undefined): string {
  if (!c) return "–";
  if (!c.applied) return `apply failed (${c.extra.length + c.missing.length} lines differ)`;
  const d = c.extra.length + c.missing.length;
  return d === 0 ? "yes" : `no (${d} lines differ)`;
}

function row(n: number, t: ToolResult): string {
  const runs = t.timedOut > 0 ? `${t.ok}/${t.attempted} (timeout)` : `${t.ok}/${t.attempted}`;
  const rt = t.ours ? String(median(t.ours.map((s) => s.roundTrips))) : "–";
  const found = t.check ? `${t.check.found.length}/${t.check.found.length + t.check.missed.length}` : "–";
  const noise = t.check ? String(t.check.noise.length) : "–";
  return `| ${n} | ${t.tool} | ${runs} | ${ms(t.medianMs)} | ${ms(t.minMs)} | ${ms(t.cpuMs)} | ${t.peakRssMb === undefined ? "–" : t.peakRssMb.toFixed(0)} | ${rt} | ${found} | ${noise} | ${convergenceCell(t.convergence)} |`;
}

function goal(s: SizeResult): string[] {
  const ours = s.tools.find((t) => t.tool.startsWith("ours (node, bundled"));
  const floor = s.tools.find((t) => t.tool.startsWith("floor"));
  const peers = s.tools.filter((t) => t.plans && !t.tool.startsWith("ours") && t.medianMs !== undefined);
  if (!ours?.medianMs || !floor?.medianMs) return [`- N=${s.n}: not enough measurements for the ratios.`];
  const fastest = peers.sort((a, b) => (a.medianMs ?? 0) - (b.medianMs ?? 0))[0];
  const vsFloor = ours.medianMs / floor.medianMs;
  const vsPeer = fastest?.medianMs ? fastest.medianMs / ours.medianMs : undefined;
  return [
    `- N=${s.n}: ours ${ms(ours.medianMs)} ms = **${vsFloor.toFixed(1)}x the floor** (goal ≤ 2x: ${vsFloor <= 2 ? "met" : "missed"}); ` +
      (fastest && vsPeer !== undefined
        ? `fastest peer ${fastest.tool} ${ms(fastest.medianMs)} ms = **${vsPeer.toFixed(2)}x ours** (goal ≥ 3x: ${vsPeer >= 3 ? "met" : "missed"}).`
        : "no peer finished."),
  ];
}

function breakdown(s: SizeResult): string[] {
  const out: string[] = [];
  for (const t of s.tools) {
    if (!t.ours || t.ours.length === 0) continue;
    const m = (f: (x: OursStats) => number): string => median(t.ours?.map(f) ?? []).toFixed(0);
    const phases = [...new Set(t.ours.flatMap((x) => Object.keys(x.queryMsByPhase)))];
    const q = phases.map((p) => `${p} ${m((x) => x.queryMsByPhase[p]?.ms ?? 0)} ms/${m((x) => x.queryMsByPhase[p]?.queries ?? 0)} queries`).join(", ");
    const startup = m((x) => x.ms.sinceProcessStart - x.ms.model - x.ms.plan - x.ms.render);
    out.push(
      `| ${s.n} | ${t.tool} | ${ms(t.medianMs)} | ${startup} | ${m((x) => x.ms.model)} | ${m((x) => x.ms.plan)} | ${q} | ${m((x) => x.ms.render)} |`,
    );
  }
  return out;
}

function correctness(results: readonly SizeResult[]): string[] {
  const out: string[] = [];
  const toolNames = [...new Set(results.flatMap((s) => s.tools.filter((t) => t.plans).map((t) => t.tool)))];
  for (const name of toolNames) {
    out.push(`**${name}**`, "");
    for (const s of results) {
      const t = s.tools.find((x) => x.tool === name);
      if (!t) continue;
      if (!t.check) {
        out.push(`- N=${s.n}: no output to check${t.failure ? ` (${t.failure})` : ""}.`);
        continue;
      }
      const missed = t.check.missed.map((d) => `${d.kind} \`${d.object}\` (${d.description})`);
      const c = t.convergence;
      const conv = !c
        ? ""
        : c.applied && c.extra.length + c.missing.length === 0
          ? " Applied to a copy of A, the catalog equals B's."
          : ` ${c.applied ? "Applied" : `Apply failed (${c.error ?? "?"})`}; catalog still differs from B: ${[...c.extra.slice(0, 3).map((l) => `has \`${l}\``), ...c.missing.slice(0, 3).map((l) => `lacks \`${l}\``)].join("; ")}${c.extra.length + c.missing.length > 6 ? "; …" : ""}.`;
      out.push(
        `- N=${s.n}: found ${t.check.found.length}/${s.driftTotal}${missed.length ? `; **missed** ${missed.join(", ")}` : ""}; ${t.check.noise.length} statements on undrifted tables.${conv}`,
      );
    }
    out.push("");
  }
  return out;
}

export function renderResults(results: readonly SizeResult[], info: RunInfo): string {
  const lines = [
    "# Plan benchmark results",
    "",
    "Generated by `bench/plan/run.ts`; every number below comes from this run. Do not edit by hand: rerun.",
    "",
    `- Command: \`${info.command}\``,
    `- Date: ${info.date} (run took ${info.durationS.toFixed(0)} s)`,
    `- Machine: ${info.machine}`,
    `- Server: ${info.server}, local TCP (127.0.0.1)`,
    `- Engine measured: schema/engine sources snapshotted at the start of the run, sha256 prefix \`${info.engineDigest}\` (both "ours" rows run that snapshot).`,
    `- Method: each tool is a whole fresh process under \`/usr/bin/time -v\` (wall clock measured around the spawn, peak RSS from GNU time); one warm-up run per tool and size is discarded; then ${info.runs} rounds with the tools interleaved; median and min over the rounds; timeout ${info.timeoutS} s per run.`,
    "- Scenario: database A = the declared schema plus drift on ~1% of the tenant tables (at least one table per drift kind); database B = the declared schema (built from the engine's `renderSchemaSql`). Ours plans A against the model; migra and pg-delta diff A against B; the floor is one `psql -X -A -t -c '<catalog query>'` on A (`bench/plan/floor.ts`).",
    "- Correctness: *found* = drift items whose object a statement names together with the fix (`bench/plan/check.ts`); *noise* = statements touching tenant tables that have no drift; *converges* = the tool's SQL applied with psql to a copy of A leaves a catalog (tables, RLS flags, ACLs, columns, constraints, indexes, policies with roles and expressions) equal to B's (`bench/plan/converge.ts`).",
    `- Machine load (1-min load average before → after each size): ${results.map((s) => `N=${s.n} ${s.loadBefore.toFixed(1)} → ${s.loadAfter.toFixed(1)}`).join(", ")}. Other work shared the machine when it was above ~1.`,
    "",
    "## Results",
    "",
    "| N | tool | runs ok | median ms | min ms | client CPU ms | peak RSS MB | round trips | drift found | noise | converges |",
    "|---:|---|---|---:|---:|---:|---:|---:|---|---:|---|",
    ...results.flatMap((s) => s.tools.map((t) => row(s.n, t))),
    "",
    "## Against the goal (ours = the bundled process, as `ve-infra` runs)",
    "",
    ...results.flatMap(goal),
    "",
    "## Where our time goes (medians; ms)",
    "",
    "Start-up = process start, module loading and connecting up to the first phase (whole-process time minus the phases below is the exit and GNU time).",
    "",
    "| N | process | wall | start-up | build model | plan() | of which in queries, per engine transaction | render |",
    "|---:|---|---:|---:|---:|---:|---|---:|",
    ...results.flatMap(breakdown),
    "",
    "## Correctness per tool",
    "",
    ...correctness(results),
    "## Failures",
    "",
    ...(results.flatMap((s) => s.tools.filter((t) => t.failure).map((t) => `- N=${s.n} ${t.tool}: ${t.failure}`)).length > 0
      ? results.flatMap((s) => s.tools.filter((t) => t.failure).map((t) => `- N=${s.n} ${t.tool}: ${t.failure}`))
      : ["None."]),
    "",
  ];
  return lines.join("\n");
}
