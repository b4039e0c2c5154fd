/**
 * The local environment's state file (`.work/local/state.json` by default): where
 * `up` put the server, on which port, with which generated password. Other commands
 * read it so that, after `npm start`, `ve-infra plan` needs no flags. The file and
 * the pgpass file next to it are mode 0600: the password is written to disk for
 * psql, never to the terminal.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface LocalState {
  readonly version: 1;
  readonly dataDir: string;
  readonly logFile: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** PostgreSQL major of the embedded server. */
  readonly major: number;
}

export const DEFAULT_STATE_DIR = path.join(".work", "local");

export function stateDirOf(projectRoot: string, flag: string | undefined): string {
  return path.resolve(projectRoot, flag ?? DEFAULT_STATE_DIR);
}

const stateFile = (dir: string): string => path.join(dir, "state.json");
export const pgpassFile = (dir: string): string => path.join(dir, "pgpass");

export function readLocalState(dir: string): LocalState | undefined {
  let text: string;
  try {
    text = fs.readFileSync(stateFile(dir), "utf8");
  } catch {
    return undefined;
  }
  const raw: unknown = JSON.parse(text);
  if (typeof raw !== "object" || raw === null || (raw as { version?: unknown }).version !== 1) return undefined;
  const s = raw as Record<string, unknown>;
  const strings = ["dataDir", "logFile", "user", "password", "database"] as const;
  if (strings.some((k) => typeof s[k] !== "string") || typeof s.port !== "number" || typeof s.major !== "number") return undefined;
  return raw as LocalState;
}

export function writeLocalState(dir: string, state: LocalState): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  // hostname:port:database:username:password, for `PGPASSFILE=... psql`; '*' lets psql open any database of the server.
  fs.writeFileSync(pgpassFile(dir), `127.0.0.1:${state.port}:*:${state.user}:${state.password.replace(/[\\:]/g, "\\$&")}\n`, { mode: 0o600 });
}

export function localUrl(state: LocalState, database = state.database): string {
  return `postgres://${encodeURIComponent(state.user)}:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/${encodeURIComponent(database)}`;
}
