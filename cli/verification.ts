/**
 * The checks `verify` and `up` run, as one function returning one result: the
 * tenant isolation suite and the lint against the database, and the reachability
 * check over the Kubernetes objects.
 */
import type { ClientConfig } from "pg";
import type { KubeObject, TenancyConfig } from "../k8s";
import type { SchemaModel } from "../schema/model";
import { lint, verifyIsolation } from "../schema/verify";
import type { Finding } from "../schema/verify/types";
import type { Io } from "./io";
import { checkTenancyReachability, renderReachability, type ReachabilityResult } from "./reachability";

export interface VerifyResult {
  readonly isolation?: { readonly findings: readonly Finding[]; readonly attempts: number; readonly passed: number };
  readonly lint?: readonly Finding[];
  readonly reachability?: ReachabilityResult;
}

/** Lint findings that only reflect traffic or the platform, not the schema (target.md: "apart from..."). */
const TRAFFIC_ONLY = new Set(["unused_index", "extension_in_public_graphql", "graphql_enabled"]);

export function breaches(r: VerifyResult): number {
  const iso = r.isolation?.findings.filter((f) => f.level === "error").length ?? 0;
  const lints = r.lint?.filter((f) => f.level !== "info" && !TRAFFIC_ONLY.has(f.check)).length ?? 0;
  const reach = (r.reachability?.breaches.length ?? 0) + (r.reachability?.problems.length ?? 0);
  return iso + lints + reach;
}

export async function runVerification(
  io: Io,
  what: { db?: ClientConfig; model: SchemaModel; objects?: readonly KubeObject[]; tenancy: TenancyConfig },
): Promise<VerifyResult> {
  let isolation: VerifyResult["isolation"];
  let lints: VerifyResult["lint"];
  let reachability: VerifyResult["reachability"];
  if (what.db) {
    const db = what.db;
    const report = await io.step("tenant isolation suite (two customers and anon, every table)", () => verifyIsolation(db, what.model));
    isolation = { findings: report.findings, attempts: report.summary.attempts, passed: report.summary.passed };
    lints = await io.step("database lint (Supabase splinter rules)", () => lint(db, what.model));
  }
  if (what.objects) {
    const objects = what.objects;
    reachability = await io.step("reachability check over the Kubernetes objects", async () => checkTenancyReachability(objects, what.tenancy));
  }
  return { isolation, lint: lints, reachability };
}

function finding(f: Finding): string {
  return `  ${f.level === "error" ? "!" : f.level === "warn" ? "~" : "-"} [${f.check}] ${f.object}: ${f.message}${f.remediation ? ` (fix: ${f.remediation})` : ""}`;
}

export function renderVerification(r: VerifyResult, showMatrix: boolean): string {
  const out: string[] = [];
  if (r.isolation) {
    const errors = r.isolation.findings.filter((f) => f.level === "error");
    out.push(`Isolation: ${r.isolation.passed}/${r.isolation.attempts} attempts behaved as required; ${errors.length} breach(es) or failed legitimate action(s).`);
    out.push(...r.isolation.findings.map(finding));
  }
  if (r.lint) {
    const counted = r.lint.filter((f) => f.level !== "info" && !TRAFFIC_ONLY.has(f.check));
    out.push(`Lint: ${counted.length} finding(s)${r.lint.length > counted.length ? ` (+${r.lint.length - counted.length} informational or traffic-only)` : ""}.`);
    out.push(...r.lint.map(finding));
  }
  if (r.reachability) {
    const n = r.reachability.breaches.length + r.reachability.problems.length;
    out.push(`Reachability: ${n === 0 ? `no customer reaches another (${r.reachability.pairs} ordered pairs, every probe, both ipBlock semantics)` : `${n} problem(s)`}.`);
    if (showMatrix || n > 0) out.push(renderReachability(r.reachability));
  }
  return out.join("\n");
}
