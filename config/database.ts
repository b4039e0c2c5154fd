/**
 * The `database` key: where the applier connects. Kept apart from the rest of the
 * stack configuration (and free of imports) because the dynamic providers parse it
 * too, in their `configure`, and everything they reference is serialized into state.
 */
export type SslMode = "disable" | "require" | "verify-ca" | "verify-full";
export const SSL_MODES: readonly SslMode[] = ["disable", "require", "verify-ca", "verify-full"];

export interface DatabaseConfig {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** The applier role: needs BYPASSRLS (Supabase's `postgres` has it) or superuser. */
  readonly user: string;
  readonly sslmode: SslMode;
  /** False on managed PostgreSQL (Supabase, RDS): @pulumi/postgresql then avoids superuser-only catalog reads. */
  readonly superuser: boolean;
}

export interface DatabaseProblem {
  readonly key: string;
  readonly problem: string;
  readonly fix: string;
}

/** Pulumi stores `pulumi config set k true` as the string "true"; accept both spellings. */
export function asBoolean(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (v === "true") return true;
  if (v === "false") return false;
  return undefined;
}

export function asInteger(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^[0-9]+$/.test(v)) return Number(v);
  return undefined;
}

/** Parses `raw` (the value of `ve-infra:database`); problems are collected, not thrown. */
export function parseDatabaseConfig(raw: unknown, problems: DatabaseProblem[], key = "ve-infra:database"): DatabaseConfig | undefined {
  let v = raw;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      problems.push({ key, problem: "is not a JSON object", fix: `pulumi config set --path database.host <host> (and port, database, user, sslmode, superuser)` });
      return undefined;
    }
  }
  if (v === undefined || v === null) {
    problems.push({ key, problem: "is missing", fix: "pulumi config set --path database.host <host> (and port, database, user, sslmode, superuser)" });
    return undefined;
  }
  if (typeof v !== "object" || Array.isArray(v)) {
    problems.push({ key, problem: "must be an object", fix: "pulumi config set --path database.host <host>" });
    return undefined;
  }
  const o = v as Record<string, unknown>;
  const before = problems.length;
  const text = (name: string, fallback?: string): string => {
    const x = o[name];
    if (x === undefined && fallback !== undefined) return fallback;
    if (typeof x !== "string" || x === "") {
      problems.push({ key: `${key}.${name}`, problem: x === undefined ? "is missing" : `must be a non-empty string, got ${JSON.stringify(x)}`, fix: `pulumi config set --path database.${name} <value>` });
      return "";
    }
    return x;
  };
  const host = text("host");
  const database = text("database", "postgres");
  const user = text("user", "postgres");
  const port = o.port === undefined ? 5432 : asInteger(o.port);
  if (port === undefined || port < 1 || port > 65535) {
    problems.push({ key: `${key}.port`, problem: `must be a port number, got ${JSON.stringify(o.port)}`, fix: "pulumi config set --path database.port 5432" });
  }
  const sslmode = o.sslmode === undefined ? "require" : o.sslmode;
  if (!SSL_MODES.includes(sslmode as SslMode)) {
    problems.push({ key: `${key}.sslmode`, problem: `must be one of ${SSL_MODES.join(", ")}, got ${JSON.stringify(o.sslmode)}`, fix: "pulumi config set --path database.sslmode require" });
  }
  const superuser = o.superuser === undefined ? false : asBoolean(o.superuser);
  if (superuser === undefined) {
    problems.push({ key: `${key}.superuser`, problem: `must be true or false, got ${JSON.stringify(o.superuser)}`, fix: "pulumi config set --path database.superuser false (false on Supabase and other managed PostgreSQL)" });
  }
  for (const k of Object.keys(o)) {
    if (!["host", "port", "database", "user", "sslmode", "superuser"].includes(k)) {
      const fix = k === "password"
        ? "remove it and run: pulumi config set --secret databasePassword"
        : "remove it (known: host, port, database, user, sslmode, superuser)";
      problems.push({ key: `${key}.${k}`, problem: "is not a known key", fix });
    }
  }
  if (problems.length > before) return undefined;
  return { host, port: port as number, database, user, sslmode: sslmode as SslMode, superuser: superuser as boolean };
}
