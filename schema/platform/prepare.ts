import pg from "pg";
import { AUTH_FUNCTIONS, AUTH_SCHEMA_SQL, PLATFORM_LOCK_KEY, PLATFORM_ROLES } from "./auth-sql";

export type Platform = "supabase" | "postgres";

/** The platform lacks what the schema relies on; the message lists every missing object. */
export class PlatformError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlatformError";
  }
}

/** SQLSTATEs a concurrent creator can produce: duplicate_object, unique_violation (pg_authid), tuple concurrently updated. */
const RACE_CODES = new Set(["42710", "23505", "XX000"]);

function sqlState(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && "code" in e && typeof e.code === "string" ? e.code : undefined;
}

async function withClient<T>(db: pg.ClientConfig, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(db);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Makes the database look like Supabase to the schema. On "postgres" it creates the
 * API roles (server-wide) and the `auth` schema with `auth.uid()` (per database),
 * idempotently and safely when several processes run it at once. On "supabase" it
 * creates nothing and fails, naming what is missing, if the platform lacks something.
 */
export async function preparePlatform(db: pg.ClientConfig, platform: Platform): Promise<void> {
  await withClient(db, async (client) => {
    if (platform === "supabase") {
      const missing = await missingPlatformObjects(client);
      if (missing.length > 0) {
        throw new PlatformError(
          `This database lacks Supabase objects the schema relies on: ${missing.join("; ")}. ` +
            `Connect to a Supabase database, or use platform "postgres" to create equivalents on plain PostgreSQL.`,
        );
      }
      return;
    }
    await createRoles(client);
    await createAuthSchema(client);
  });
}

async function createRoles(client: pg.Client): Promise<void> {
  // Advisory locks are scoped to one database, and roles are server-wide: the lock
  // serialises callers in this database, and callers in other databases are absorbed
  // by treating "already exists" as success.
  await client.query("select pg_advisory_lock($1)", [PLATFORM_LOCK_KEY]);
  try {
    for (const role of PLATFORM_ROLES) {
      for (let attempt = 0; ; attempt++) {
        try {
          const { rows } = await client.query<{ rolbypassrls: boolean }>("select rolbypassrls from pg_roles where rolname = $1", [role.name]);
          if (rows.length === 0) {
            // Role names are the fixed constants above, never input.
            await client.query(`create role ${role.name} nologin ${role.bypassRls ? "bypassrls" : "nobypassrls"}`);
          } else if (rows[0].rolbypassrls !== role.bypassRls) {
            await client.query(`alter role ${role.name} ${role.bypassRls ? "bypassrls" : "nobypassrls"}`);
          }
          break;
        } catch (e) {
          if (!RACE_CODES.has(sqlState(e) ?? "") || attempt >= 5) throw e;
          // Another database's caller won the race; look again.
        }
      }
    }
  } finally {
    await client.query("select pg_advisory_unlock($1)", [PLATFORM_LOCK_KEY]);
  }
}

async function createAuthSchema(client: pg.Client): Promise<void> {
  await client.query("begin");
  try {
    // Same key, transaction scope: concurrent callers on this database take turns,
    // so `create or replace function` never meets "tuple concurrently updated".
    await client.query("select pg_advisory_xact_lock($1)", [PLATFORM_LOCK_KEY]);
    const { rows } = await client.query<{ v: string }>("select current_setting('server_version_num') as v");
    // gen_random_uuid() is built in from PostgreSQL 13; older servers need pgcrypto.
    if (Number(rows[0].v) < 130000) await client.query("create extension if not exists pgcrypto");
    for (const statement of AUTH_SCHEMA_SQL) await client.query(statement);
    await client.query("commit");
  } catch (e) {
    await client.query("rollback").catch(() => undefined);
    throw e;
  }
}

/** What a Supabase database must already hold, described for a person; empty when complete. */
async function missingPlatformObjects(client: pg.Client): Promise<string[]> {
  const missing: string[] = [];
  const { rows: roles } = await client.query<{ rolname: string; rolbypassrls: boolean }>(
    "select rolname, rolbypassrls from pg_roles where rolname = any($1)",
    [PLATFORM_ROLES.map((r) => r.name)],
  );
  for (const r of PLATFORM_ROLES) {
    const found = roles.find((x) => x.rolname === r.name);
    if (!found) missing.push(`role ${r.name}`);
    else if (r.bypassRls && !found.rolbypassrls) missing.push(`BYPASSRLS on role ${r.name}`);
  }
  const { rows: schema } = await client.query("select 1 from pg_namespace where nspname = 'auth'");
  if (schema.length === 0) {
    missing.push("schema auth (with auth.users and auth.uid())");
    return missing;
  }
  const { rows: users } = await client.query("select to_regclass('auth.users') is not null as ok");
  if (!(users[0] as { ok: boolean }).ok) missing.push("table auth.users");
  const { rows: fns } = await client.query<{ proname: string; ret: string }>(
    `select p.proname, format_type(p.prorettype, null) as ret
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'auth' and p.pronargs = 0`,
  );
  for (const f of AUTH_FUNCTIONS) {
    if (!fns.some((x) => x.proname === f.name && x.ret === f.returns)) missing.push(`function auth.${f.name}() returns ${f.returns}`);
  }
  return missing;
}
