/**
 * The second correctness check, independent of every tool's own diff: apply a tool's
 * SQL with psql to a copy of A, then compare the copy's catalog with B's using the
 * floor's catalog query (tables with RLS flags and ACLs, columns, constraints,
 * indexes, policies with roles and expressions). Zero differing lines = converged.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cloneDatabase, databaseUrl, dropDatabase } from "./databases";
import { floorCommand } from "./floor";

export interface Convergence {
  readonly applied: boolean;
  /** psql's error when the script did not apply. */
  readonly error?: string;
  /** Catalog lines in the copy but not in B, and in B but not in the copy. */
  readonly extra: readonly string[];
  readonly missing: readonly string[];
}

export function catalogLines(url: string): string[] {
  const r = spawnSync(floorCommand(url)[0], floorCommand(url).slice(1), { encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`catalog query failed on ${url}: ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l.length > 0);
}

export function lineDiff(actual: readonly string[], expected: readonly string[]): { extra: string[]; missing: string[] } {
  const want = new Set(expected);
  const have = new Set(actual);
  return { extra: actual.filter((l) => !want.has(l)), missing: expected.filter((l) => !have.has(l)) };
}

export async function checkConvergence(serverUrl: string, a: string, b: string, scratch: string, sqlText: string): Promise<Convergence> {
  await cloneDatabase(serverUrl, a, scratch);
  const dir = mkdtempSync(join(tmpdir(), "ve-bench-converge-"));
  try {
    const file = join(dir, "plan.sql");
    writeFileSync(file, sqlText);
    const url = databaseUrl(serverUrl, scratch);
    const r = spawnSync("/usr/bin/psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", file], { encoding: "utf8", maxBuffer: 1 << 28 });
    const d = lineDiff(catalogLines(url), catalogLines(databaseUrl(serverUrl, b)));
    return r.status === 0 ? { applied: true, ...d } : { applied: false, error: r.stderr.trim().split("\n").slice(-2).join(" "), ...d };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dropDatabase(serverUrl, scratch);
  }
}
