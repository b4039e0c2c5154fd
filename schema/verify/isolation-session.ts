/**
 * Acting as a caller inside the verifier's transaction, and telling what happened.
 * Every attempt runs in a savepoint that is rolled back, which also undoes the role
 * switch and the JWT claims (SET LOCAL and set_config(..., true) are undone with it),
 * so attempts cannot influence each other and nothing is ever committed.
 */
import type { Client } from "pg";
import type { Actor, Outcome } from "./types";
import { asAnon, asCustomer } from "../platform/session";

/** `"name"` with embedded quotes doubled. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualifiedIdent(schema: string, name: string): string {
  return `${ident(schema)}.${ident(name)}`;
}

export interface Identities {
  readonly A: string;
  readonly B: string;
}

/**
 * Becomes `actor` for the rest of the current (sub)transaction the way PostgREST does
 * on Supabase: the API role plus the request's JWT claims, which auth.uid() reads.
 */
export async function becomeActor(client: Client, actor: Actor, ids: Identities): Promise<void> {
  if (actor === "anon") await asAnon(client);
  else await asCustomer(client, ids[actor]);
}

export interface PgErrorLike {
  readonly code?: string;
  readonly message: string;
}

function asPgError(e: unknown): PgErrorLike {
  if (typeof e === "object" && e !== null && "message" in e) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    return { code: typeof code === "string" ? code : undefined, message: String(message) };
  }
  return { message: String(e) };
}

/**
 * 42501 covers both "permission denied" and "new row violates row-level security
 * policy": they are told apart by the message, because a role the model grants
 * nothing must be stopped by the privilege itself, not only by a policy. Class 23 is
 * an integrity constraint (foreign key, unique, check, not null).
 */
export function classifyError(e: unknown): { outcome: Outcome; detail: string; code?: string } {
  const err = asPgError(e);
  const detail = err.code ? `${err.code}: ${err.message}` : err.message;
  if (err.code === "42501") return { outcome: /row-level security policy/i.test(err.message) ? "rejected" : "denied", detail, code: err.code };
  if (err.code?.startsWith("23")) return { outcome: "constraint", detail, code: err.code };
  return { outcome: "error", detail, code: err.code };
}

export interface Statement {
  readonly sql: string;
  /** Text values (cast in the SQL to the column's type), NULL as null. */
  readonly params: readonly (string | null)[];
}

/** How a statement's effect is measured: the `n` column of its first row, or the rows it touched. */
export type Measure = "count" | "rowCount";

export async function measure(client: Client, stmt: Statement, how: Measure): Promise<number> {
  const r = await client.query<{ n: number | string }>(stmt.sql, [...stmt.params]);
  return how === "count" ? Number(r.rows[0]?.n ?? 0) : (r.rowCount ?? 0);
}

let savepointSeq = 0;

/**
 * Runs `body` in a savepoint that is always rolled back. `setup` statements run first
 * with the verifier's own rights (e.g. clearing the way for an insert).
 */
export async function inSavepoint<T>(client: Client, body: () => Promise<T>): Promise<T> {
  const name = `verify_${++savepointSeq}`;
  await client.query(`savepoint ${name}`);
  try {
    return await body();
  } finally {
    await client.query(`rollback to savepoint ${name}`);
    await client.query(`release savepoint ${name}`);
  }
}

/** Runs one statement as `actor` and reports the outcome; errors are outcomes, not exceptions. */
export async function runAs(
  client: Client,
  actor: Actor,
  ids: Identities,
  stmt: Statement,
  how: Measure,
  setup: readonly Statement[] = [],
  verify?: Statement,
): Promise<{ outcome: Outcome; detail: string; code?: string }> {
  return inSavepoint(client, async () => {
    try {
      for (const s of setup) await client.query(s.sql, [...s.params]);
    } catch (e) {
      return { ...classifyError(e), outcome: "error" as const, detail: `setup failed: ${classifyError(e).detail}` };
    }
    await becomeActor(client, actor, ids);
    let n: number;
    try {
      n = await measure(client, stmt, how);
    } catch (e) {
      return classifyError(e);
    }
    const rows = `${n} row${n === 1 ? "" : "s"}`;
    if (!verify) return { outcome: n > 0 ? "allowed" : "no_rows", detail: rows };
    // A statement without WHERE touches whatever the caller can reach: whether it reached
    // the target row is asked afterwards with the verifier's own rights (RESET ROLE is
    // always permitted and is undone with the savepoint).
    await client.query("reset role");
    const hit = await measure(client, verify, "count");
    return { outcome: hit > 0 ? "allowed" : "no_rows", detail: `${rows} touched, ${hit > 0 ? "including" : "not"} the target row` };
  });
}
