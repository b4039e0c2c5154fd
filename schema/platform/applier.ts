import pg from "pg";

/** The connecting role may not apply changes; the message says why and how to fix it. */
export class ApplierError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ApplierError";
  }
}

/**
 * Refuses a role that has neither SUPERUSER nor BYPASSRLS. Under FORCE ROW LEVEL
 * SECURITY such a role sees no rows even in tables it owns: backups come out empty,
 * checks of existing rows find nothing, and adding or validating a foreign key can
 * succeed over rows that break it, because the referential check runs under the policies.
 */
export async function checkApplier(db: pg.ClientConfig): Promise<void> {
  const client = new pg.Client(db);
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; rolsuper: boolean; rolbypassrls: boolean }>(
      "select current_user as name, rolsuper, rolbypassrls from pg_roles where rolname = current_user",
    );
    const me = rows[0];
    if (!me) throw new ApplierError("Cannot read the connecting role's attributes from pg_roles.");
    if (!me.rolsuper && !me.rolbypassrls) {
      throw new ApplierError(
        `Role "${me.name}" has neither SUPERUSER nor BYPASSRLS, so it cannot apply this schema safely: under FORCE ROW LEVEL SECURITY ` +
          `it sees no rows of the tenant tables, and constraint validation and backups would silently check or copy nothing. ` +
          `Fix: connect as a role with BYPASSRLS (on Supabase, "postgres"), or have a superuser run: ALTER ROLE "${me.name}" BYPASSRLS;`,
      );
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
