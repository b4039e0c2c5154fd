/**
 * Program evaluation under mocks at 10, 1,000 and 10,000 customers: how long the
 * program takes to register every resource and how much memory it peaks at. Each size
 * runs in a fresh process so sizes do not share heap or caches. No Pulumi engine and no
 * database are involved: this measures the program's own cost (config parsing, object
 * building, provider serialization, registration), which is what grows with customers.
 * The program is the tsc output of tsconfig.pulumi.json, the JavaScript Pulumi runs.
 *
 *   npx tsx bench/program-eval.ts                  # compiles once, prints the table
 *   npx tsx bench/program-eval.ts --child N <dir>  # one measurement, JSON on stdout
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as pulumi from "@pulumi/pulumi";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { parse } from "yaml";

const ROOT = join(__dirname, "..");

const SIZES = [10, 1_000, 10_000];
const PROJECT = "ve-infra";

interface Measurement {
  customers: number;
  resources: number;
  ms: number;
  peakRssMb: number;
  heapMb: number;
}

/** A deterministic uuid per index, in the form the config parser accepts. */
function customerId(i: number): string {
  const hex = i.toString(16).padStart(12, "0");
  return `00000000-0000-4000-8000-${hex}`;
}

/** Compiles index.ts with Pulumi's compiler options into .work/; returns the directory. */
function compileProgram(): string {
  mkdirSync(join(ROOT, ".work"), { recursive: true });
  const out = mkdtempSync(join(ROOT, ".work", "bench-program-"));
  process.once("exit", () => rmSync(out, { recursive: true, force: true }));
  const project = join(out, "tsconfig.json");
  writeFileSync(project, JSON.stringify({
    extends: join(ROOT, "tsconfig.pulumi.json"), compilerOptions: { outDir: out, rootDir: ROOT }, files: [join(ROOT, "index.ts")], include: [],
  }));
  execFileSync(process.execPath, [createRequire(join(ROOT, "package.json")).resolve("typescript/bin/tsc"), "-p", project], { cwd: ROOT, stdio: "inherit" });
  return out;
}

async function measure(customers: number, programDir: string): Promise<Measurement> {
  const file = parse(readFileSync(join(ROOT, "Pulumi.staging.yaml"), "utf8")) as { config: Record<string, unknown> };
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(file.config)) config[k] = typeof v === "string" ? v : JSON.stringify(v);
  config[`${PROJECT}:customers`] = JSON.stringify(Array.from({ length: customers }, (_, i) => ({ id: customerId(i), slug: `c${i}` })));
  config[`${PROJECT}:databasePassword`] = "bench-only";
  config[`${PROJECT}:planReaderPassword`] = "bench-only";
  pulumi.runtime.setAllConfig(config, [`${PROJECT}:databasePassword`, `${PROJECT}:planReaderPassword`]);

  let registered = 0;
  await pulumi.runtime.setMocks({
    newResource: (a) => { registered++; return { id: `${a.name}-id`, state: a.inputs }; },
    call: (a) => a.inputs,
  }, PROJECT, "staging", false);

  const start = process.hrtime.bigint();
  await pulumi.runtime.runInPulumiStack(async () => {
    createRequire(join(programDir, "index.js"))(join(programDir, "index.js"));
    return {};
  });
  // Under mocks the stack returns before registrations finish; this waits for every outstanding one.
  await pulumi.runtime.disconnect();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
  return { customers, resources: registered, ms, peakRssMb: process.resourceUsage().maxRSS / 1024, heapMb };
}

function runChild(customers: number, programDir: string): Measurement {
  const child = spawnSync(process.execPath, [...process.execArgv, __filename, "--child", String(customers), programDir], {
    encoding: "utf8", maxBuffer: 16 * 2 ** 20, env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --max-old-space-size=8192` },
  });
  if (child.status !== 0) throw new Error(`bench child for ${customers} customers failed:\n${child.stderr}`);
  const line = child.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(line) as Measurement;
}

async function main(): Promise<void> {
  const i = process.argv.indexOf("--child");
  if (i >= 0) {
    process.stdout.write(`${JSON.stringify(await measure(Number(process.argv[i + 1]), process.argv[i + 2]))}\n`);
    return;
  }
  const programDir = compileProgram();
  const rows = SIZES.map((n) => runChild(n, programDir));
  const base = rows[0];
  console.log("| customers | resources | time (ms) | ms / customer | peak RSS (MB) | heap after (MB) |");
  console.log("|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    console.log(`| ${r.customers.toLocaleString("en")} | ${r.resources.toLocaleString("en")} | ${r.ms.toFixed(0)} | ${(r.ms / r.customers).toFixed(2)} | ${r.peakRssMb.toFixed(0)} | ${r.heapMb.toFixed(0)} |`);
  }
  const last = rows[rows.length - 1];
  const growth = (last.ms - base.ms) / (last.customers - base.customers);
  console.log(`\nmarginal cost: ${growth.toFixed(2)} ms and ${((last.peakRssMb - base.peakRssMb) / (last.customers - base.customers) * 1024).toFixed(1)} KB RSS per added customer`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
