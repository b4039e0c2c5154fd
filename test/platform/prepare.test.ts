import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "pg";
import { randomBytes } from "node:crypto";
import { createTestDatabase, pgServers, type TestDatabase } from "../support/db";
import { ApplierError, PlatformError, asAnon, asCustomer, checkApplier, preparePlatform, withCaller } from "../../schema/platform";

describe.each(pgServers())("platform on $name", (server) => {
  let db: TestDatabase;
  let bare: TestDatabase;
  const applierRole = `ve_t_applier_${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    db = await createTestDatabase(server, "plat");
    bare = await createTestDatabase(server, "bare");
    await preparePlatform(db.config, "postgres");
  });

  afterAll(async () => {
    await db?.drop();
    await bare?.drop();
    const admin = new Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`drop role if exists ${applierRole}`);
    await admin.end();
  });

  it("creates the API roles with Supabase's attributes", async () => {
    const c = await db.client();
    const { rows } = await c.query<{ rolname: string; rolcanlogin: boolean; rolbypassrls: boolean }>(
      "select rolname, rolcanlogin, rolbypassrls from pg_roles where rolname in ('anon', 'authenticated', 'service_role') order by rolname",
    );
    expect(rows).toEqual([
      { rolname: "anon", rolcanlogin: false, rolbypassrls: false },
      { rolname: "authenticated", rolcanlogin: false, rolbypassrls: false },
      { rolname: "service_role", rolcanlogin: false, rolbypassrls: true },
    ]);
  });

  it("is idempotent", async () => {
    await preparePlatform(db.config, "postgres");
    await preparePlatform(db.config, "postgres");
    const c = await db.client();
    const { rows } = await c.query("select proname from pg_proc where pronamespace = 'auth'::regnamespace order by proname");
    expect(rows.map((r) => r.proname)).toEqual(["email", "jwt", "role", "uid"]);
  });

  it("succeeds when called concurrently from separate connections, in one database and across databases", async () => {
    const other = await createTestDatabase(server, "conc");
    try {
      await Promise.all([db.config, db.config, db.config, other.config, other.config, other.config].map((cfg) => preparePlatform(cfg, "postgres")));
      const c = await other.client();
      const { rows } = await c.query("select auth.uid() as uid, to_regclass('auth.users') is not null as users");
      expect(rows[0]).toEqual({ uid: null, users: true });
    } finally {
      await other.drop();
    }
  });

  it("pins search_path on the auth functions and grants them to the API roles", async () => {
    const c = await db.client();
    const { rows } = await c.query<{ proname: string; proconfig: string[]; provolatile: string; anon: boolean; authn: boolean; svc: boolean }>(
      `select proname, proconfig, provolatile,
              has_function_privilege('anon', oid, 'execute') as anon,
              has_function_privilege('authenticated', oid, 'execute') as authn,
              has_function_privilege('service_role', oid, 'execute') as svc
         from pg_proc where pronamespace = 'auth'::regnamespace`,
    );
    for (const r of rows) {
      expect(r.proconfig, r.proname).toEqual(['search_path=""']);
      expect(r.provolatile).toBe("s");
      expect([r.anon, r.authn, r.svc]).toEqual([true, true, true]);
    }
    const { rows: usage } = await c.query(
      "select bool_and(has_schema_privilege(r, 'auth', 'usage') and has_schema_privilege(r, 'public', 'usage')) as ok from unnest(array['anon', 'authenticated', 'service_role']) r",
    );
    expect(usage[0].ok).toBe(true);
  });

  it("auth.uid() returns the JWT sub, from request.jwt.claims or request.jwt.claim.sub, and NULL without claims", async () => {
    const c = await db.client();
    const id = "6f1c1d4e-8a3b-4c6d-9e2f-0a1b2c3d4e5f";
    expect((await c.query("select auth.uid() as u, auth.role() as r, auth.jwt() as j")).rows[0]).toEqual({ u: null, r: null, j: null });
    await c.query("begin");
    await c.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify({ sub: id, role: "authenticated", email: "a@b.example" })]);
    expect((await c.query("select auth.uid() as u, auth.role() as r, auth.email() as e, auth.jwt() ->> 'sub' as s")).rows[0]).toEqual({ u: id, r: "authenticated", e: "a@b.example", s: id });
    await c.query("rollback");
    await c.query("begin");
    await c.query("select set_config('request.jwt.claim.sub', $1, true)", [id]);
    expect((await c.query("select auth.uid() as u")).rows[0].u).toBe(id);
    await c.query("rollback");
    // An empty setting (what a reset GUC reads as) is no caller, not an error.
    await c.query("begin");
    await c.query("select set_config('request.jwt.claims', '', true)");
    expect((await c.query("select auth.uid() as u")).rows[0].u).toBeNull();
    await c.query("rollback");
  });

  it("asCustomer / asAnon switch role and claims for the transaction only, and refuse to run outside one", async () => {
    const c = await db.client();
    const id = "11111111-2222-4333-8444-555555555555";
    await c.query("begin");
    await asCustomer(c, id);
    expect((await c.query("select current_user as who, auth.uid() as u")).rows[0]).toEqual({ who: "authenticated", u: id });
    await c.query("rollback");
    expect((await c.query("select current_user = session_user as back, auth.uid() as u")).rows[0]).toEqual({ back: true, u: null });
    await expect(asCustomer(c, id)).rejects.toThrow(/must run inside a transaction/);
    expect(await withCaller(c, null, async (cl) => (await cl.query("select current_user as who, auth.uid() as u")).rows[0])).toEqual({ who: "anon", u: null });
    await c.query("begin");
    await asAnon(c);
    expect((await c.query("select auth.role() as r")).rows[0].r).toBe("anon");
    await c.query("rollback");
  });

  it("on supabase: creates nothing and names what is missing", async () => {
    const err = await preparePlatform(bare.config, "supabase").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as Error).message).toMatch(/lacks Supabase objects the schema relies on: schema auth \(with auth\.users and auth\.uid\(\)\)/);
    const c = await bare.client();
    expect((await c.query("select count(*)::int as n from pg_namespace where nspname = 'auth'")).rows[0].n).toBe(0);
    // A prepared database passes the same check.
    await expect(preparePlatform(db.config, "supabase")).resolves.toBeUndefined();
  });

  it("on supabase: names a missing auth function", async () => {
    const c = await bare.client();
    await c.query("create schema auth; create table auth.users (id uuid primary key); create function auth.uid() returns uuid language sql as 'select null::uuid'");
    const err = await preparePlatform(bare.config, "supabase").catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/function auth\.role\(\) returns text; function auth\.email\(\) returns text; function auth\.jwt\(\) returns jsonb/);
    expect((err as Error).message).not.toMatch(/auth\.uid/);
    await c.query("drop schema auth cascade");
  });

  it("checkApplier refuses a role with neither SUPERUSER nor BYPASSRLS, and accepts BYPASSRLS or superuser", async () => {
    const admin = await db.client();
    await admin.query(`create role ${applierRole} login password 'applier-pw' nosuperuser nobypassrls`);
    const url = new URL(db.url);
    url.username = applierRole;
    url.password = "applier-pw";
    const err = await checkApplier({ connectionString: url.toString() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplierError);
    expect((err as Error).message).toContain(`Role "${applierRole}" has neither SUPERUSER nor BYPASSRLS`);
    expect((err as Error).message).toContain(`ALTER ROLE "${applierRole}" BYPASSRLS`);
    await admin.query(`alter role ${applierRole} bypassrls`);
    await expect(checkApplier({ connectionString: url.toString() })).resolves.toBeUndefined();
    await expect(checkApplier(db.config)).resolves.toBeUndefined();
  });
});
