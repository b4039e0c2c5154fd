/**
 * Bringing the local PostgreSQL up and down: initdb on first use (random password,
 * kept in the state file), start detached, create the `ve` database. Reuses a
 * running server, so `npm start` can be run again at any time.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Client } from "pg";
import { CliError } from "../errors";
import type { Io } from "../io";
import { freePort, initialise, isRunning, majorOf, start } from "./postgres";
import { localUrl, readLocalState, writeLocalState, type LocalState } from "./state";

export const DEFAULT_PORT = 54329;

export interface LocalServer {
  readonly state: LocalState;
  readonly url: string;
  readonly created: boolean;
  readonly started: boolean;
}

async function ensureDatabase(state: LocalState): Promise<void> {
  const client = new Client({ connectionString: localUrl(state, "postgres") });
  await client.connect();
  try {
    const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [state.database]);
    if (!rowCount) await client.query(`create database ${client.escapeIdentifier(state.database)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function bringUp(io: Io, stateDir: string, requestedPort: number | undefined): Promise<LocalServer> {
  const dataDir = path.join(stateDir, "pgdata");
  const logFile = path.join(stateDir, "postgres.log");
  const previous = readLocalState(stateDir);
  if (!previous && fs.existsSync(path.join(dataDir, "PG_VERSION"))) {
    throw new CliError(`${dataDir} holds a cluster but ${stateDir}/state.json (its password) is gone`, `remove ${dataDir} to start over (its data is lost), or restore state.json`);
  }
  const password = previous?.password ?? randomBytes(18).toString("base64url");
  const created = await io.step(previous ? "checking the local PostgreSQL" : `creating a PostgreSQL cluster in ${dataDir}`, () => initialise(dataDir, "postgres", password));

  let port = previous?.port ?? DEFAULT_PORT;
  let started = false;
  if (!(await isRunning(dataDir))) {
    const wanted = requestedPort ?? previous?.port ?? DEFAULT_PORT;
    port = await freePort(wanted);
    if (requestedPort !== undefined && port !== requestedPort) throw new CliError(`port ${requestedPort} is in use`, "pass another --port, or omit it to pick a free one");
    if (port !== wanted) io.info(`port ${wanted} is in use; using ${port}`);
    await io.step(`starting PostgreSQL on 127.0.0.1:${port}`, () => start(dataDir, port, logFile));
    started = true;
  } else if (requestedPort !== undefined && requestedPort !== port) {
    io.info(`the local PostgreSQL is already running on port ${port}; --port ${requestedPort} ignored (run \`ve-infra down\` first to change it)`);
  }
  const state: LocalState = { version: 1, dataDir, logFile, port, user: "postgres", password, database: "ve", major: majorOf(dataDir) };
  writeLocalState(stateDir, state);
  await ensureDatabase(state);
  return { state, url: localUrl(state), created, started };
}
