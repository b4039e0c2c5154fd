import type pg from "pg";

/**
 * Acting as an API caller on an open connection, the way PostgREST does on Supabase:
 * inside a transaction, `SET LOCAL ROLE` to the JWT's role and the claims in
 * `request.jwt.claims`, both undone at COMMIT/ROLLBACK so the connection cannot leak
 * an identity into the next test. The connecting role must be allowed to SET ROLE to
 * `authenticated`/`anon` (superuser, or a member of them as Supabase's postgres is).
 */

export type Claims = Readonly<Record<string, string | number | boolean>>;

/** Switches the current transaction to `role` with `claims`. Throws when not inside a transaction. */
export async function actAs(client: pg.ClientBase, role: "anon" | "authenticated" | "service_role", claims: Claims): Promise<void> {
  await client.query("select set_config('request.jwt.claims', $1, true), set_config('role', $2, true)", [JSON.stringify(claims), role]);
  // Outside BEGIN ... the settings above lived and died with their own implicit
  // transaction; carrying on would run the caller's statements as the connecting
  // (superuser) role and make every isolation check pass vacuously.
  const { rows } = await client.query<{ who: string }>("select current_user as who");
  if (rows[0]?.who !== role) {
    throw new Error(`actAs(${role}) must run inside a transaction (call BEGIN first); the session is still "${rows[0]?.who}"`);
  }
}

/** The signed-in customer `customerId` (JWT sub), for the rest of the current transaction. */
export async function asCustomer(client: pg.ClientBase, customerId: string): Promise<void> {
  await actAs(client, "authenticated", { sub: customerId, role: "authenticated" });
}

/** A caller without a signed-in user, for the rest of the current transaction. */
export async function asAnon(client: pg.ClientBase): Promise<void> {
  await actAs(client, "anon", { role: "anon" });
}

/**
 * Runs `fn` in its own transaction as `customerId` (or anon when `customerId` is null),
 * then rolls back unless `commit` is set, so probes leave no rows behind.
 */
export async function withCaller<T>(
  client: pg.ClientBase,
  customerId: string | null,
  fn: (client: pg.ClientBase) => Promise<T>,
  options: { readonly commit?: boolean } = {},
): Promise<T> {
  await client.query("begin");
  try {
    if (customerId === null) await asAnon(client);
    else await asCustomer(client, customerId);
    const result = await fn(client);
    await client.query(options.commit ? "commit" : "rollback");
    return result;
  } catch (e) {
    await client.query("rollback").catch(() => undefined);
    throw e;
  }
}
