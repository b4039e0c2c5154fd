/**
 * One pair of databases per size on the benchmark server: `<prefix>_<n>_b` holds the
 * declared schema, `<prefix>_<n>_a` is a template copy of it with the drift applied.
 * Roles are server-wide; preparePlatform creates them idempotently and race-safely.
 */
import { Client } from "pg";
import { renderSchemaSql } from "../../schema/engine";
import { preparePlatform } from "../../schema/platform";
import { driftItems, type DriftItem } from "./drift";
import { schemaSql, syntheticModel } from "./synthetic";

export interface SizeDatabases {
  readonly n: number;
  /** Live database with drift: what every tool plans from. */
  readonly a: string;
  /** The declared schema: what migra and pg-delta diff A against. */
  readonly b: string;
  readonly drift: readonly DriftItem[];
}

export function databaseUrl(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Names are generated here (prefix is a fixed constant of the caller), so quoting is not needed. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await withClient(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
}

export async function cloneDatabase(serverUrl: string, from: string, to: string): Promise<void> {
  await dropDatabase(serverUrl, to);
  await withClient(serverUrl, (c) => c.query(`create database ${to} template ${from}`));
}

/**
 * SQL scripts that create the declared schema: the engine's own rendering (what a user
 * would load), or the bench's independent DDL (the test checks both build the same catalog).
 */
export function declaredSchemaScripts(n: number, ddl: "engine" | "bench"): string[] {
  const model = syntheticModel(n);
  if (ddl === "engine") return [renderSchemaSql(model)];
  // One simple-protocol request per batch keeps round trips low without one huge string.
  const statements = schemaSql(model);
  const out: string[] = [];
  for (let i = 0; i < statements.length; i += 2000) out.push(statements.slice(i, i + 2000).join("\n"));
  return out;
}

/** Creates `name` holding the declared schema for `n` tenant tables (platform roles and auth.uid() first). */
export async function createDeclaredDatabase(serverUrl: string, name: string, n: number, ddl: "engine" | "bench"): Promise<void> {
  await dropDatabase(serverUrl, name);
  await withClient(serverUrl, (c) => c.query(`create database ${name}`));
  const url = databaseUrl(serverUrl, name);
  await preparePlatform({ connectionString: url }, "postgres");
  await withClient(url, async (c) => {
    for (const script of declaredSchemaScripts(n, ddl)) await c.query(script);
    await c.query("analyze");
  });
}

/** Creates (or recreates) the two databases for `n` tenant tables. */
export async function createSizeDatabases(serverUrl: string, prefix: string, n: number, ddl: "engine" | "bench" = "engine"): Promise<SizeDatabases> {
  const a = `${prefix}_${n}_a`;
  const b = `${prefix}_${n}_b`;
  await dropDatabase(serverUrl, a);
  await createDeclaredDatabase(serverUrl, b, n, ddl);
  // A template copy needs B idle: every client above has closed.
  await cloneDatabase(serverUrl, b, a);
  const drift = driftItems(n);
  await withClient(databaseUrl(serverUrl, a), (c) => c.query(drift.map((d) => d.sql).join("\n")));
  return { n, a, b, drift };
}
