/**
 * Every row and every non-null value of a set of tables, as text keyed by primary
 * key, so a take-over can be checked value by value. Timestamps are compared as
 * instants: `timestamp` values read as UTC, `timestamptz` as they are.
 */
import type { Client } from "pg";

/** table -> row id -> column -> value as text (non-null values only). */
export type Snapshot = Map<string, Map<string, Map<string, string>>>;

export async function snapshotTables(client: Client, tables: readonly string[]): Promise<Snapshot> {
  const snap: Snapshot = new Map();
  const { rows: cols } = await client.query<{ table: string; column: string; type: string }>(
    `select c.relname as table, a.attname as column, format_type(a.atttypid, a.atttypmod) as type
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relname = any($1) and a.attnum > 0 and not a.attisdropped
      order by c.relname, a.attnum`,
    [tables],
  );
  for (const table of tables) {
    const columns = cols.filter((c) => c.table === table);
    if (columns.length === 0) continue;
    const select = columns
      .map((c) =>
        c.type.startsWith("timestamp")
          ? // extract(epoch) of a `timestamp` is its nominal UTC reading; of a timestamptz, the instant.
            `extract(epoch from "${c.column}")::text as "${c.column}"`
          : `"${c.column}"::text as "${c.column}"`,
      )
      .join(", ");
    const { rows } = await client.query<Record<string, string | null>>(`select id::text as __id, ${select} from public."${table}"`);
    const byId = new Map<string, Map<string, string>>();
    for (const row of rows) {
      const values = new Map<string, string>();
      for (const c of columns) if (row[c.column] !== null) values.set(c.column, row[c.column] as string);
      byId.set(row.__id as string, values);
    }
    snap.set(table, byId);
  }
  return snap;
}

/** Values present before and missing or different after, as readable lines. */
export function lostValues(before: Snapshot, after: Snapshot): string[] {
  const lost: string[] = [];
  for (const [table, rows] of before) {
    const afterRows = after.get(table);
    if (!afterRows) {
      lost.push(`${table}: table missing`);
      continue;
    }
    for (const [id, values] of rows) {
      const afterValues = afterRows.get(id);
      if (!afterValues) {
        lost.push(`${table} ${id}: row missing`);
        continue;
      }
      for (const [column, value] of values) {
        if (afterValues.get(column) !== value) lost.push(`${table} ${id}.${column}: ${value} -> ${afterValues.get(column) ?? "null"}`);
      }
    }
  }
  return lost;
}
