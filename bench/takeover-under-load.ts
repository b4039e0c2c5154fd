/**
 * Take-over under load: while an application-like write load runs on a database in
 * production's state, the engine converges it to the declared model. The budget:
 * no write waits more than 50 ms beyond the load's own worst latency measured just
 * before the take-over.
 *
 *   npx tsx bench/takeover-under-load.ts [--database-url URL] [--workers 4] [--baseline-ms 5000]
 *                                        [--customers 50] [--rows 200] [--runs 3]
 *
 * Without --database-url it uses the machine's PostgreSQL on 127.0.0.1:5432, and
 * creates (and drops) a database of its own there.
 */
import { Client } from "pg";
import { parseArgs } from "node:util";
import { randomBytes } from "node:crypto";
import { apply, plan } from "../schema/engine";
import type { ApplyEvent } from "../schema/engine/apply";
import { platformSchema } from "../schema/app";
import { preparePlatform } from "../schema/platform";
import { loadScaledProductionState } from "../test/fixtures/production";
import { loadTenants, startWriteLoad, summarize } from "./support/write-load";

const BUDGET_MS = 50;

interface RunResult {
  baseline: ReturnType<typeof summarize>;
  during: ReturnType<typeof summarize>;
  applyMs: number;
  statements: number;
  retries: number;
}

async function oneRun(serverUrl: string, args: { workers: number; baselineMs: number; customers: number; rows: number }): Promise<RunResult> {
  const name = `bench_takeover_${randomBytes(4).toString("hex")}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = { connectionString: url.toString() };
  try {
    await preparePlatform(db, "postgres");
    const setup = new Client(db);
    await setup.connect();
    await loadScaledProductionState(setup, { optionalTables: true, customers: args.customers, rowsPerCustomer: args.rows });
    await setup.query("analyze");
    await setup.end();

    const tenants = await loadTenants(db);
    const load = await startWriteLoad(db, tenants, args.workers);
    try {
    // Warm up, then measure the load's own latency just before the take-over.
    await sleep(1000);
    const baselineFrom = Date.now();
    await sleep(args.baselineMs);
    const applyFrom = Date.now();
    let retries = 0;
    const p = await plan(db, platformSchema, { platform: "postgres" });
    await apply(db, p, { onEvent: (e: ApplyEvent) => void (e.type === "retry" && retries++) });
    const applyTo = Date.now();
    // Writes that started during the take-over may finish just after it.
    await sleep(500);
    await load.stop();
    const failed = load.samples.filter((s) => !s.ok);
    if (failed.length > 0) console.log(`  ${failed.length} writes failed, e.g.: ${failed[0].error}`);
    return {
      baseline: summarize(load.samples, baselineFrom, applyFrom),
      during: summarize(load.samples, applyFrom, applyTo),
      applyMs: applyTo - applyFrom,
      statements: p.steps.length,
      retries,
    };
    } finally {
      await load.stop();
    }
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "database-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432/postgres" },
      workers: { type: "string", default: "4" },
      "baseline-ms": { type: "string", default: "5000" },
      customers: { type: "string", default: "50" },
      rows: { type: "string", default: "200" },
      runs: { type: "string", default: "3" },
    },
  });
  const args = {
    workers: Number(values.workers),
    baselineMs: Number(values["baseline-ms"]),
    customers: Number(values.customers),
    rows: Number(values.rows),
  };
  const runs = Number(values.runs);
  console.log(`take-over under load: ${args.workers} writers, ${args.customers} customers x ${args.rows} rows, ${runs} runs, budget +${BUDGET_MS} ms`);
  console.log("run | writes before/during | errors during | worst before | worst during | extra | p99 before/during | apply ms | statements | retries");
  let worstExtra = -Infinity;
  for (let i = 1; i <= runs; i++) {
    const r = await oneRun(values["database-url"] as string, args);
    const extra = r.during.max - r.baseline.max;
    worstExtra = Math.max(worstExtra, extra);
    console.log(
      `${i} | ${r.baseline.count}/${r.during.count} | ${r.during.errors} | ${r.baseline.max.toFixed(1)} | ${r.during.max.toFixed(1)} | ` +
        `${extra.toFixed(1)} | ${r.baseline.p99.toFixed(1)}/${r.during.p99.toFixed(1)} | ${r.applyMs} | ${r.statements} | ${r.retries}`,
    );
  }
  const verdict = worstExtra <= BUDGET_MS ? "within" : "OVER";
  console.log(`worst extra wait over all runs: ${worstExtra.toFixed(1)} ms (${verdict} the ${BUDGET_MS} ms budget)`);
  if (worstExtra > BUDGET_MS) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
