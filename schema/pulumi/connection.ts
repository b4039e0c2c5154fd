/**
 * How a dynamic provider finds the database. Credentials are never inputs nor captured
 * in the provider's code: `delete` and `refresh` run with what state holds, so a stored
 * password would break them after a rotation. Instead `configure` reads the stack's
 * current `ve-infra:database` + `ve-infra:databasePassword`, and without them each call
 * falls back to the environment (`VE_DATABASE_URL`, read at call time).
 *
 * Everything here is serialized into each provider (by value), so it stays small and
 * imports nothing but ../../config/database.
 */
import type { ClientConfig } from "pg";
import { parseDatabaseConfig, type DatabaseConfig, type DatabaseProblem } from "../../config/database";

/** What the provider host hands `configure` (a subset of pulumi.dynamic.ConfigureRequest). */
export interface ProviderConfigRequest {
  readonly config: { get(key: string): string | undefined };
}

export const DATABASE_URL_ENV = "VE_DATABASE_URL";

function sslOptions(mode: DatabaseConfig["sslmode"]): ClientConfig["ssl"] {
  if (mode === "disable") return false;
  // libpq's `require` encrypts without verifying the certificate.
  if (mode === "require") return { rejectUnauthorized: false };
  // verify-ca checks the chain but not the host name.
  if (mode === "verify-ca") return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { rejectUnauthorized: true };
}

export function clientConfig(db: DatabaseConfig, password: string): ClientConfig {
  return {
    host: db.host, port: db.port, database: db.database, user: db.user, password,
    ssl: sslOptions(db.sslmode),
    application_name: "ve-infra-pulumi",
    connectionTimeoutMillis: 15_000,
  };
}

/**
 * Reads the stack configuration the provider host passes to `configure`. Returns
 * undefined when the stack has no database settings (the environment is used then);
 * throws when they are present but wrong, naming the key, never the password.
 */
export function connectionFromStackConfig(req: ProviderConfigRequest): ClientConfig | undefined {
  const raw = req.config.get("database");
  const password = req.config.get("databasePassword");
  if (raw === undefined) return undefined;
  const problems: DatabaseProblem[] = [];
  const db = parseDatabaseConfig(raw, problems);
  if (!db) throw new Error(`ve-infra provider: ${problems.map((p) => `${p.key}: ${p.problem} (fix: ${p.fix})`).join("; ")}`);
  if (!password) throw new Error("ve-infra provider: ve-infra:databasePassword is not set. Fix: pulumi config set --secret databasePassword");
  return clientConfig(db, password);
}

/** The connection for one provider call: the configured stack first, else the environment. */
export function resolveConnection(configured: ClientConfig | undefined, env: NodeJS.ProcessEnv = process.env): ClientConfig {
  if (configured) return configured;
  const url = env[DATABASE_URL_ENV];
  if (url) return { connectionString: url, application_name: "ve-infra-pulumi" };
  throw new Error(
    `ve-infra provider: no database connection. Set ve-infra:database and ve-infra:databasePassword on the stack ` +
      `(pulumi config set --secret databasePassword) or export ${DATABASE_URL_ENV}.`,
  );
}

/** Data-loss consent given at run time (`VE_ALLOW_DATA_LOSS=public.tasks.old_col,public.retired_table`). */
export const ALLOW_DATA_LOSS_ENV = "VE_ALLOW_DATA_LOSS";

export function consentFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[ALLOW_DATA_LOSS_ENV] ?? "").split(",").map((s) => s.trim()).filter((s) => s.length > 0);
}
