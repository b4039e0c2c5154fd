/**
 * Each test file works in databases of its own, created here and dropped after,
 * so files run in parallel. Roles are server-wide: code that creates roles must be
 * idempotent and safe under concurrency (the engine's platform setup is).
 */
import { inject } from "vitest";
import { Client, type ClientConfig } from "pg";
import { randomBytes } from "node:crypto";
import type { PgServer } from "../../scripts/pg-servers";

export type { PgServer };

export function pgServers(): PgServer[] {
  return inject("pgServers");
}

export interface TestDatabase {
  server: PgServer;
  name: string;
  url: string;
  config: ClientConfig;
  /** A connected client (closed by drop()). */
  client(): Promise<Client>;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function createTestDatabase(server: PgServer, prefix = "t"): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`.toLowerCase();
  const admin = new Client({ connectionString: server.url });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(server.url, name);
  const clients: Client[] = [];
  return {
    server,
    name,
    url,
    config: { connectionString: url },
    async client() {
      const c = new Client({ connectionString: url });
      await c.connect();
      clients.push(c);
      return c;
    },
    async drop() {
      for (const c of clients) await c.end().catch(() => undefined);
      const a = new Client({ connectionString: server.url });
      await a.connect();
      try {
        await a.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}
