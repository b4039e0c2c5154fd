/**
 * Our whole plan process, as the benchmark runs it: build the synthetic model, plan the
 * database against it, print the plan as SQL (what `ve-infra plan` would show).
 *
 *   node <compiled>/bench/plan/ours.js --url <postgres-url> --tables N
 *
 * Plan SQL goes to stdout. The last stderr line is `BENCH_STATS <json>`: catalog round
 * trips (every `Client.query` call, counted by wrapping the prototype before the engine
 * loads) and where the time went, per engine transaction (introspect, normalise, probes).
 */
// First, as in bin/ve-infra.js: pg loads without pulling in Node 20's fetch.
import "../../schema/engine/preload-pg";
import pg from "pg";
import { renderPlan, startPlan } from "../../schema/engine";
import { SYNTHETIC_SCHEMAS, syntheticModel } from "./synthetic";

interface QueryRecord {
  readonly label: string;
  readonly ms: number;
}

const records: QueryRecord[] = [];
/** The first statement of the transaction a query runs in names its engine phase. */
let phase = "outside";
const SLOW_MS = process.env.BENCH_SLOW_MS ? Number(process.env.BENCH_SLOW_MS) : undefined;

function phaseOf(text: string): string | undefined {
  if (/^begin isolation level repeatable read read only/i.test(text)) return "introspect";
  if (/^begin read only/i.test(text)) return "probes";
  if (/^begin\b/i.test(text)) return "normalize";
  return undefined;
}

type QueryFn = (this: pg.Client, ...args: unknown[]) => unknown;

function countQueries(): void {
  const proto = pg.Client.prototype as unknown as { query: QueryFn };
  const original = proto.query;
  proto.query = function (this: pg.Client, ...args: unknown[]): unknown {
    const first = args[0];
    const text = typeof first === "string" ? first : typeof first === "object" && first !== null && "text" in first ? String((first as { text: unknown }).text) : "";
    const started = phaseOf(text);
    if (started) phase = started;
    const label = phase;
    if (/^(commit|rollback)\b/i.test(text)) phase = "outside";
    const t0 = performance.now();
    const result = original.apply(this, args);
    if (result instanceof Promise) {
      // Rejections stay with the caller; only the timing is observed here.
      const done = (): void => {
        const ms = performance.now() - t0;
        records.push({ label, ms });
        // BENCH_SLOW_MS=<ms> names the slow queries, for finding where the time goes.
        if (SLOW_MS !== undefined && ms >= SLOW_MS) process.stderr.write(`slow query (${label}, ${ms.toFixed(0)} ms): ${text.slice(0, 160).replace(/\s+/g, " ")}\n`);
      };
      // Rejections stay with the caller; only the timing is observed here.
      void result.then(done, done);
    } else {
      records.push({ label, ms: 0 });
    }
    return result;
  };
}

function arg(name: string): string {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) throw new Error(`missing ${name}; usage: ours --url <postgres-url> --tables N`);
  return v;
}

async function main(): Promise<void> {
  // Wrapping the shared prototype before the first connection counts every client the engine opens.
  countQueries();
  // Module loading is measured by the parent as whole-process time minus these phases.
  const tLoaded = performance.now();
  // The catalog read starts first and the 1,000-table model is built while the server works
  // (startPlan; `ve-infra plan` calls plan(), its 10-table model builds in milliseconds).
  const started = await startPlan({ connectionString: arg("--url") }, SYNTHETIC_SCHEMAS);
  let model;
  try {
    model = syntheticModel(Number(arg("--tables")));
  } catch (e) {
    await started.cancel();
    throw e;
  }
  const tModel = performance.now();
  const p = await started.plan(model, { platform: "postgres" });
  const tPlan = performance.now();
  process.stdout.write(renderPlan(p, "sql"));
  const byPhase: Record<string, { queries: number; ms: number }> = {};
  for (const r of records) {
    const b = (byPhase[r.label] ??= { queries: 0, ms: 0 });
    b.queries++;
    b.ms += r.ms;
  }
  const stats = {
    roundTrips: records.length,
    steps: p.steps.length,
    drift: p.drift.length,
    ms: { sinceProcessStart: performance.now(), model: tModel - tLoaded, plan: tPlan - tModel, render: performance.now() - tPlan },
    queryMsByPhase: byPhase,
  };
  process.stderr.write(`BENCH_STATS ${JSON.stringify(stats)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
