/**
 * Which database and which tenancy a command works on, from its flags:
 * `--database-url` wins for the connection; `--stack NAME` reads Pulumi.NAME.yaml
 * through the same parser the Pulumi program uses (customers, cluster, platform,
 * database address; the password, a Pulumi secret the CLI cannot decrypt, comes
 * from the environment); with neither, the local environment that `up` started.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ClientConfig } from "pg";
import { parse as parseYaml } from "yaml";
import { parseStackConfig, type Platform, type StackConfig } from "../config/stack";
import { parseTenancyConfig, type TenancyConfig } from "../k8s/config";
import { CliError } from "./errors";
import { DEMO_TENANCY } from "./local/demo";
import { localUrl, readLocalState, stateDirOf } from "./local/state";
import { maskUrl } from "./mask";

/** The repository: Pulumi.<stack>.yaml files and the default state directory live here. */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

export interface TargetFlags {
  stack: string | undefined;
  "database-url": string | undefined;
  platform: string | undefined;
  "state-dir": string | undefined;
}

export interface Target {
  readonly db: ClientConfig;
  /** The connection as it may be printed: password masked. */
  readonly display: string;
  readonly platform: Platform;
  readonly source: "url" | "stack" | "local";
  readonly stack?: { readonly name: string; readonly config: StackConfig };
}

/** Where Pulumi.<stack>.yaml files are read from: the project, unless VE_INFRA_STACK_DIR says otherwise. */
function stackDir(): string {
  return path.resolve(PROJECT_ROOT, process.env.VE_INFRA_STACK_DIR ?? ".");
}

export function readStack(name: string): StackConfig {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new CliError(`invalid stack name "${name}"`, "use the short name, e.g. --stack dev");
  const dir = stackDir();
  const file = path.join(dir, `Pulumi.${name}.yaml`);
  if (!fs.existsSync(file)) {
    const known = fs.readdirSync(dir).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f)).map((f) => f.slice(7, -5));
    throw new CliError(`no stack file Pulumi.${name}.yaml`, known.length ? `known stacks: ${known.join(", ")}` : "create it with `pulumi stack init` and `pulumi config set ...`");
  }
  const doc: unknown = parseYaml(fs.readFileSync(file, "utf8"));
  const values = typeof doc === "object" && doc !== null ? (doc as { config?: unknown }).config : undefined;
  if (values !== undefined && (typeof values !== "object" || values === null || Array.isArray(values))) {
    throw new CliError(`Pulumi.${name}.yaml: "config" is not a map`, "see docs/cli.md for the stack file's shape");
  }
  return parseStackConfig((values ?? {}) as Record<string, unknown>, { stack: name, requireSecrets: false });
}

function sslFor(mode: StackConfig["database"]["sslmode"]): ClientConfig["ssl"] {
  if (mode === "disable") return false;
  // libpq's "require" encrypts without checking the certificate; verify-* check it.
  return mode === "require" ? { rejectUnauthorized: false } : { rejectUnauthorized: true };
}

function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CliError(`--database-url is not a URL: ${maskUrl(url)}`, "write it as postgres://user:password@host:5432/database");
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
    throw new CliError(`--database-url must start with postgres://, got ${u.protocol}//`, "write it as postgres://user:password@host:5432/database");
  }
}

export function resolveTarget(flags: TargetFlags): Target {
  const stack = flags.stack ? { name: flags.stack, config: readStack(flags.stack) } : undefined;
  const platform = (flags.platform ?? stack?.config.platform ?? "postgres") as Platform;
  const url = flags["database-url"];
  if (url) {
    checkUrl(url);
    return { db: { connectionString: url }, display: maskUrl(url), platform, source: "url", stack };
  }
  if (stack) {
    const d = stack.config.database;
    const password = process.env.VE_DATABASE_PASSWORD ?? process.env.PGPASSWORD;
    const db: ClientConfig = { host: d.host, port: d.port, database: d.database, user: d.user, password, ssl: sslFor(d.sslmode) };
    const display = `postgres://${d.user}${password ? ":****" : ""}@${d.host}:${d.port}/${d.database}?sslmode=${d.sslmode}`;
    return { db, display, platform, source: "stack", stack };
  }
  const dir = stateDirOf(PROJECT_ROOT, flags["state-dir"]);
  const local = readLocalState(dir);
  if (!local) {
    throw new CliError("no database given and no local environment found", "pass --database-url or --stack NAME, or run `npm start` to bring up a local environment");
  }
  const localConn = localUrl(local);
  return { db: { connectionString: localConn }, display: maskUrl(localConn), platform, source: "local" };
}

/** The customers and cluster the objects are built for: the stack's, else the local demo's. */
export function tenancyFor(stackName: string | undefined): { tenancy: TenancyConfig; from: string } {
  if (stackName) return { tenancy: readStack(stackName).tenancy, from: `Pulumi.${stackName}.yaml` };
  return { tenancy: parseTenancyConfig(DEMO_TENANCY), from: "the local demo configuration" };
}
