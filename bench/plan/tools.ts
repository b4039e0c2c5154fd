/**
 * The processes the benchmark compares, each as argv plus how to read the SQL it
 * proposes from its stdout. Every tool plans database A: ours against the model,
 * migra and pg-delta against database B (the declared schema), the floor reads A's
 * catalog once.
 */
import { join } from "node:path";
import { floorCommand } from "./floor";

export interface ToolContext {
  readonly root: string;
  readonly n: number;
  readonly aUrl: string;
  readonly bUrl: string;
  /** Snapshot of schema/ and bench/plan/ taken when the run started (ours runs from it, never from the live tree). */
  readonly sourceDir: string;
  /** The snapshot's `bench/plan/ours.ts` bundled into one file, as scripts/bundle.js bundles the CLI. */
  readonly bundleFile: string;
}

export interface Tool {
  readonly name: string;
  /** Whether its output is checked for the drift (the floor proposes nothing). */
  readonly plans: boolean;
  argv(ctx: ToolContext): string[];
  readonly okCodes?: readonly number[];
  /** The SQL the tool proposes, as a psql script. */
  sql?(stdout: string): string;
}

/** `BENCH_STATS {...}` from ours' stderr. */
export interface OursStats {
  readonly roundTrips: number;
  readonly steps: number;
  readonly drift: number;
  readonly ms: { readonly sinceProcessStart: number; readonly model: number; readonly plan: number; readonly render: number };
  readonly queryMsByPhase: Readonly<Record<string, { readonly queries: number; readonly ms: number }>>;
}

export function oursStats(stderr: string): OursStats | undefined {
  const line = stderr.split("\n").find((l) => l.startsWith("BENCH_STATS "));
  return line ? (JSON.parse(line.slice("BENCH_STATS ".length)) as OursStats) : undefined;
}

const oursArgs = (ctx: ToolContext): string[] => ["--url", ctx.aUrl, "--tables", String(ctx.n)];


/** Ours, bundled into one JavaScript file as `ve-infra` ships (scripts/bundle.js): the number reported against the goal. */
export const oursBundled: Tool = {
  name: "ours (node, bundled as ve-infra ships)",
  plans: true,
  argv: (ctx) => [process.execPath, ctx.bundleFile, ...oursArgs(ctx)],
  sql: (stdout) => stdout,
};

/** Ours as the TypeScript sources run today (`node --import tsx`): includes transpiling on start-up. */
export const oursTsx: Tool = {
  name: "ours (node --import tsx)",
  plans: true,
  argv: (ctx) => [process.execPath, "--import", "tsx", join(ctx.sourceDir, "bench", "plan", "ours.ts"), ...oursArgs(ctx)],
  sql: (stdout) => stdout,
};

export const migra: Tool = {
  name: "@pgkit/migra 0.6.1",
  plans: true,
  // --unsafe: emit drops (a changed policy is drop + create); --with-privileges: diff grants too.
  argv: (ctx) => [process.execPath, join(ctx.root, "node_modules", "@pgkit", "migra", "dist", "command.js"), "run", ctx.aUrl, ctx.bUrl, "--unsafe", "--with-privileges"],
  // Python migra exits 2 when there are differences; accept it should the port do the same.
  okCodes: [0, 2],
  // @pgkit/client prints a "duplicate database object" warning with its stack trace to stdout (both URLs share a server); it is not SQL.
  sql: (stdout) => stdout.replace(/^WARNING: [^\n]*\n(?:[ \t]+at [^\n]*\n)*/gm, ""),
};

interface PgDeltaPlan {
  readonly preamble?: readonly { readonly name: string; readonly value: string }[];
  readonly actions: readonly { readonly sql: string }[];
}

export const pgDelta: Tool = {
  name: "@supabase/pg-delta 1.0.0-alpha.34",
  plans: true,
  // `plan` is pg-delta's counterpart of our plan (diff prints only a summary); renames off: no prompt, no guessing.
  argv: (ctx) => [process.execPath, join(ctx.root, "node_modules", "@supabase", "pg-delta", "dist", "cli", "main.js"), "plan", "--source", ctx.aUrl, "--desired", ctx.bUrl, "--renames", "off"],
  sql: (stdout) => {
    const p = JSON.parse(stdout) as PgDeltaPlan;
    const pre = (p.preamble ?? []).map((s) => `set ${s.name} = ${s.value};`);
    return [...pre, ...p.actions.map((a) => `${a.sql};`)].join("\n") + "\n";
  },
};

export const floor: Tool = {
  name: "floor: psql, one catalog query",
  plans: false,
  argv: (ctx) => floorCommand(ctx.aUrl),
};

export const ALL_TOOLS: readonly Tool[] = [floor, oursBundled, oursTsx, migra, pgDelta];
