/**
 * The stack configuration of project `ve-infra`, parsed in one place. The Pulumi
 * program passes the values of `pulumi.Config` (see ./pulumi.ts) and the command line
 * passes the `config:` map of `Pulumi.<stack>.yaml`; both go through parseStackConfig,
 * so a key means the same thing to both. Everything is checked before any resource is
 * registered, and every problem names its full key and the fix.
 */
import { parseTenancyConfig, ConfigError, type TenancyConfig } from "../k8s";
import { asBoolean, asInteger, parseDatabaseConfig, type DatabaseConfig } from "./database";
import { PROJECT, StackConfigError, fullKey, type ConfigProblem } from "./errors";

export { StackConfigError, type ConfigProblem } from "./errors";
export type { DatabaseConfig } from "./database";

export type Platform = "supabase" | "postgres";
export const PLATFORMS: readonly Platform[] = ["supabase", "postgres"];

/** Every key the project reads; any other `ve-infra:` key is a typo and is refused. */
export const STACK_KEYS = [
  "platform", "database", "databasePassword", "planReaderPassword", "planReaderPasswordVersion", "protectData", "customers", "cluster", "kubernetes",
] as const;
/** Keys whose values must be Pulumi secrets. */
export const SECRET_KEYS: readonly StackKey[] = ["databasePassword", "planReaderPassword"];
export type StackKey = (typeof STACK_KEYS)[number];

export interface KubernetesConfig {
  /** kubeconfig context; absent = the current context. */
  readonly context?: string;
  /** When set, manifests are written to this directory instead of being applied. */
  readonly renderYamlTo?: string;
}

export interface StackConfig {
  readonly platform: Platform;
  readonly database: DatabaseConfig;
  /** `protect` + `retainOnDelete` on tables and the namespace (prod). */
  readonly protectData: boolean;
  readonly tenancy: TenancyConfig;
  readonly kubernetes: KubernetesConfig;
  /** Whether `databasePassword` is set as a secret. Its value is never part of the parsed configuration. */
  readonly databasePasswordSet: boolean;
  /**
   * The read-only `ve_plan_reader` login role that pull-request plans connect as. Its
   * password (`planReaderPassword`, a secret) is write-only: bump the version to rotate it.
   */
  readonly planReader: { readonly passwordSet: boolean; readonly passwordVersion: number };
}

export interface ParseOptions {
  /** The stack name; `prod` must set protectData. */
  readonly stack?: string;
  /**
   * Default true (the Pulumi program). The command line passes false: it reads a
   * committed stack file, whose secrets it cannot decrypt, and takes the password
   * from the environment instead.
   */
  readonly requireSecrets?: boolean;
}

/** A value as `Pulumi.<stack>.yaml` holds a secret: `{secure: "v1:..."}`. */
function isSecureValue(v: unknown): boolean {
  return typeof v === "object" && v !== null && typeof (v as { secure?: unknown }).secure === "string";
}

/** `pulumi.Config` hands objects and lists over as JSON text; stack files as parsed YAML. */
function structured(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trim();
  if (!t.startsWith("{") && !t.startsWith("[")) return v;
  try {
    return JSON.parse(t);
  } catch {
    return v;
  }
}

/** Collects the project's keys, with or without the `ve-infra:` prefix; other namespaces are not ours. */
function ownKeys(values: Record<string, unknown>, problems: ConfigProblem[]): Map<StackKey, unknown> {
  const out = new Map<StackKey, unknown>();
  for (const [raw, value] of Object.entries(values)) {
    const colon = raw.indexOf(":");
    if (colon >= 0 && raw.slice(0, colon) !== PROJECT) continue;
    const key = colon >= 0 ? raw.slice(colon + 1) : raw;
    if ((STACK_KEYS as readonly string[]).includes(key)) {
      out.set(key as StackKey, value);
    } else {
      const near = STACK_KEYS.find((k) => k.toLowerCase().startsWith(key.toLowerCase().slice(0, 4)));
      problems.push({
        key: fullKey(key),
        problem: "is not a key of this project",
        fix: `${near ? `did you mean ${near}? ` : ""}remove it with pulumi config rm ${key} (known: ${STACK_KEYS.join(", ")})`,
      });
    }
  }
  return out;
}

function parseSecret(name: StackKey, v: unknown, requireSecrets: boolean, problems: ConfigProblem[]): boolean {
  const key = fullKey(name);
  if (v === undefined || v === null || v === "") {
    if (requireSecrets) problems.push({ key, problem: "is not set", fix: `pulumi config set --secret ${name} (each stack sets its own)` });
    return false;
  }
  if (isSecureValue(v)) return true;
  // A plain value would sit readable in the committed stack file and in state.
  problems.push({ key, problem: "is stored in plain text", fix: `pulumi config rm ${name} && pulumi config set --secret ${name}` });
  return false;
}

function parseKubernetes(v: unknown, problems: ConfigProblem[]): KubernetesConfig {
  const key = fullKey("kubernetes");
  const raw = structured(v);
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    problems.push({ key, problem: "must be an object", fix: "pulumi config set --path kubernetes.context <context>" });
    return {};
  }
  const o = raw as Record<string, unknown>;
  const out: { context?: string; renderYamlTo?: string } = {};
  for (const [k, x] of Object.entries(o)) {
    if (k !== "context" && k !== "renderYamlTo") {
      problems.push({ key: `${key}.${k}`, problem: "is not a known key", fix: "remove it (known: context, renderYamlTo)" });
    } else if (typeof x !== "string" || x === "") {
      problems.push({ key: `${key}.${k}`, problem: `must be a non-empty string, got ${JSON.stringify(x)}`, fix: `pulumi config set --path kubernetes.${k} <value>` });
    } else {
      out[k] = x;
    }
  }
  return out;
}

export function parseStackConfig(values: Record<string, unknown>, options: ParseOptions = {}): StackConfig {
  const problems: ConfigProblem[] = [];
  const own = ownKeys(values, problems);

  const platformRaw = own.get("platform");
  if (!PLATFORMS.includes(platformRaw as Platform)) {
    problems.push({
      key: fullKey("platform"),
      problem: platformRaw === undefined ? "is not set" : `must be supabase or postgres, got ${JSON.stringify(platformRaw)}`,
      fix: "pulumi config set platform supabase (or postgres for plain PostgreSQL)",
    });
  }

  const database = parseDatabaseConfig(structured(own.get("database")), problems, fullKey("database"));
  const requireSecrets = options.requireSecrets ?? true;
  const databasePasswordSet = parseSecret("databasePassword", own.get("databasePassword"), requireSecrets, problems);
  const readerPasswordSet = parseSecret("planReaderPassword", own.get("planReaderPassword"), requireSecrets, problems);
  const versionRaw = own.get("planReaderPasswordVersion");
  const passwordVersion = versionRaw === undefined ? 1 : asInteger(versionRaw);
  if (passwordVersion === undefined || passwordVersion < 1) {
    problems.push({ key: fullKey("planReaderPasswordVersion"), problem: `must be a positive integer, got ${JSON.stringify(versionRaw)}`, fix: "pulumi config set planReaderPasswordVersion 2 (bump it after changing planReaderPassword)" });
  }

  const protectRaw = own.get("protectData");
  const protectData = protectRaw === undefined ? false : asBoolean(protectRaw);
  if (protectData === undefined) {
    problems.push({ key: fullKey("protectData"), problem: `must be true or false, got ${JSON.stringify(protectRaw)}`, fix: "pulumi config set protectData true" });
  } else if (options.stack === "prod" && !protectData) {
    problems.push({ key: fullKey("protectData"), problem: "must be true on the prod stack (tables and the namespace are protected there)", fix: "pulumi config set protectData true" });
  }

  let tenancy: TenancyConfig | undefined;
  try {
    tenancy = parseTenancyConfig({ customers: structured(own.get("customers")), cluster: structured(own.get("cluster")) });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const key = e.key === "(root)" ? fullKey("cluster") : fullKey(e.key);
    problems.push({ key, problem: e.message.slice(e.key.length + 2).replace(/\. Fix: .*$/s, ""), fix: e.hint });
  }

  const kubernetes = parseKubernetes(own.get("kubernetes"), problems);

  if (problems.length > 0 || !database || !tenancy || protectData === undefined) throw new StackConfigError(problems);
  return {
    platform: platformRaw as Platform, database, protectData, tenancy, kubernetes, databasePasswordSet,
    planReader: { passwordSet: readerPasswordSet, passwordVersion: passwordVersion as number },
  };
}
