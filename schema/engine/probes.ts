/**
 * Questions about rows (not the catalog) that decide what may be planned: does an
 * undeclared column hold values, does a table hold rows, which rows break a
 * constraint about to be validated. Asked in batches, read-only, with a statement
 * timeout so a plan never hangs on a huge table; an unanswered question leaves the
 * decision to the step's precondition at apply time.
 */
import type { Client, QueryResult, QueryResultRow } from "pg";
import type { CatalogTable } from "./catalog-types";
import type { RowFacts, Validation } from "./diff/context";
import { qualifiedName, quoteIdent, tableKey } from "./sql";

const BATCH = 200;
const PROBE_TIMEOUT = "60s";

// One round trip for the transaction and its timeout; savepoint, probe and release go
// together too (a failed probe skips the rest of its query, and the catch rolls back).
const BEGIN = `begin read only; set local statement_timeout = '${PROBE_TIMEOUT}'`;

/** Result `i` of a multi-statement simple query. */
function lastResult<R extends QueryResultRow>(r: unknown, i: number): QueryResult<R> {
  if (!Array.isArray(r) || r.length <= i) throw new Error("expected one result per statement");
  return r[i] as QueryResult<R>;
}

interface Question {
  readonly key: string;
  readonly kind: "table" | "column";
  readonly sql: string;
}

export async function probeRows(client: Client, tables: readonly { live: CatalogTable; undeclared: readonly string[] }[]): Promise<RowFacts> {
  const qs: Question[] = [];
  for (const { live, undeclared } of tables) {
    const ref = qualifiedName(live.schema, live.name);
    const key = tableKey(live.schema, live.name);
    qs.push({ key, kind: "table", sql: `exists (select 1 from ${ref})` });
    for (const c of undeclared) qs.push({ key: `${key}.${c}`, kind: "column", sql: `exists (select 1 from ${ref} where ${quoteIdent(c)} is not null)` });
  }
  const nonEmptyTables = new Set<string>();
  const nonEmptyColumns = new Set<string>();
  if (qs.length === 0) return { nonEmptyTables, nonEmptyColumns };
  await client.query(BEGIN);
  try {
    for (let i = 0; i < qs.length; i += BATCH) {
      const chunk = qs.slice(i, i + BATCH);
      try {
        const row = lastResult<Record<string, boolean>>(await client.query(`savepoint probe; select ${chunk.map((q, k) => `${q.sql} as p${k}`).join(",\n ")}; release savepoint probe`), 1).rows[0];
        chunk.forEach((q, k) => {
          if (row[`p${k}`]) (q.kind === "table" ? nonEmptyTables : nonEmptyColumns).add(q.key);
        });
      } catch {
        // Unanswered (e.g. timed out on a huge table): assume values are there, so nothing is dropped.
        await client.query("rollback to savepoint probe");
        for (const q of chunk) (q.kind === "table" ? nonEmptyTables : nonEmptyColumns).add(q.key);
      }
    }
  } finally {
    await client.query("rollback").catch(() => undefined);
  }
  return { nonEmptyTables, nonEmptyColumns };
}

export interface Violations {
  readonly rows: readonly string[];
  readonly count: number;
}

/** Rows breaking each validation, or undefined when the question cannot be asked yet (e.g. a new column). */
export async function probeViolations(client: Client, validations: readonly Validation[]): Promise<(Violations | undefined)[]> {
  if (validations.length === 0) return [];
  const out: (Violations | undefined)[] = [];
  await client.query(BEGIN);
  try {
    // The previous probe's savepoint is released in the next probe's round trip (the
    // final rollback ends the last one): one round trip per constraint rows comply with.
    let release = "";
    for (const v of validations) {
      try {
        const r = await client.query(`${release}savepoint probe; ${v.countSql}`);
        const count = lastResult<{ n: number }>(r, release ? 2 : 1).rows[0].n;
        release = "release savepoint probe; ";
        const rows = count > 0 ? (await client.query<{ row: string }>(v.violationsSql)).rows.map((row) => row.row) : [];
        out.push({ rows, count });
      } catch {
        await client.query("rollback to savepoint probe; release savepoint probe");
        release = "";
        out.push(undefined);
      }
    }
  } finally {
    await client.query("rollback").catch(() => undefined);
  }
  return out;
}
