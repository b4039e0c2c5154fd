/**
 * Questions about rows (not the catalog) that decide what may be planned: does an
 * undeclared column hold values, does a table hold rows, which rows break a
 * constraint about to be validated. Asked in batches, read-only, with a statement
 * timeout so a plan never hangs on a huge table; an unanswered question leaves the
 * decision to the step's precondition at apply time.
 */
import type { Client } from "pg";
import type { CatalogTable } from "./catalog-types";
import type { RowFacts, Validation } from "./diff/context";
import { qualifiedName, quoteIdent, tableKey } from "./sql";

const BATCH = 200;
const PROBE_TIMEOUT = "60s";

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
  await client.query("begin read only");
  try {
    await client.query(`set local statement_timeout = '${PROBE_TIMEOUT}'`);
    for (let i = 0; i < qs.length; i += BATCH) {
      const chunk = qs.slice(i, i + BATCH);
      await client.query("savepoint probe");
      try {
        const row = (await client.query<Record<string, boolean>>(`select ${chunk.map((q, k) => `${q.sql} as p${k}`).join(",\n ")}`)).rows[0];
        chunk.forEach((q, k) => {
          if (row[`p${k}`]) (q.kind === "table" ? nonEmptyTables : nonEmptyColumns).add(q.key);
        });
        await client.query("release savepoint probe");
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
  await client.query("begin read only");
  try {
    await client.query(`set local statement_timeout = '${PROBE_TIMEOUT}'`);
    for (const v of validations) {
      await client.query("savepoint probe");
      try {
        const count = (await client.query<{ n: number }>(v.countSql)).rows[0].n;
        const rows = count > 0 ? (await client.query<{ row: string }>(v.violationsSql)).rows.map((r) => r.row) : [];
        out.push({ rows, count });
        await client.query("release savepoint probe");
      } catch {
        await client.query("rollback to savepoint probe");
        out.push(undefined);
      }
    }
  } finally {
    await client.query("rollback").catch(() => undefined);
  }
  return out;
}
