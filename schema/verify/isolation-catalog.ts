/**
 * What the isolation suite needs to know about the live tables to write valid rows:
 * column types, nullability and defaults, stored CHECK text, foreign keys and
 * single-column unique keys. Read from the catalog (what PostgreSQL will enforce),
 * in a fixed number of queries whatever the number of tables.
 */
import type { Client } from "pg";

export interface LiveColumn {
  readonly name: string;
  /** As format_type() prints it: usable as a cast target. */
  readonly type: string;
  readonly notNull: boolean;
  /** A default, identity or generated value exists, so an insert may leave it out. */
  readonly hasDefault: boolean;
  /** Generated columns cannot be written at all. */
  readonly generated: boolean;
  readonly enumLabels: readonly string[];
  /** Stored text of CHECK constraints on this column alone (pg_get_constraintdef). */
  readonly checks: readonly string[];
}

export interface LiveForeignKey {
  readonly name: string;
  readonly columns: readonly string[];
  /** `schema.table` */
  readonly target: string;
  readonly targetColumns: readonly string[];
}

export interface LiveTable {
  /** `schema.table` */
  readonly key: string;
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly LiveColumn[];
  readonly foreignKeys: readonly LiveForeignKey[];
  /** Columns that are unique on their own (a one-column primary key, unique constraint or unique index). */
  readonly uniqueColumns: readonly string[];
  /** Every unique key's columns (primary key, unique constraints, unique indexes without predicate). */
  readonly uniqueKeys: readonly (readonly string[])[];
}

export interface LiveFunction {
  /** `schema.name(identity args)` for reports. */
  readonly identity: string;
  readonly schema: string;
  readonly name: string;
  readonly argTypes: readonly string[];
  readonly executableBy: readonly ("anon" | "authenticated")[];
}

interface ColumnRow {
  table_key: string;
  schema: string;
  table_name: string;
  name: string;
  type: string;
  not_null: boolean;
  has_default: boolean;
  generated: boolean;
  enum_labels: string[] | null;
  checks: string[] | null;
}

interface KeyRow {
  table_key: string;
  name: string;
  columns: string[];
  target: string;
  target_columns: string[];
}

/** Reads the given `schema.table` keys; tables that do not exist are simply absent from the result. */
export async function readLiveTables(client: Client, keys: readonly string[]): Promise<Map<string, LiveTable>> {
  const schemas = keys.map((k) => k.slice(0, k.indexOf(".")));
  const names = keys.map((k) => k.slice(k.indexOf(".") + 1));
  const wanted = `
    select c.oid, n.nspname, c.relname, n.nspname || '.' || c.relname as table_key
    from unnest($1::text[], $2::text[]) as w(s, t)
    join pg_catalog.pg_namespace n on n.nspname = w.s
    join pg_catalog.pg_class c on c.relnamespace = n.oid and c.relname = w.t and c.relkind in ('r', 'p')`;
  const cols = await client.query<ColumnRow>(
    `with wanted as (${wanted})
     select w.table_key, w.nspname as schema, w.relname as table_name, a.attname as name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null,
       (a.atthasdef or a.attidentity <> '' or a.attgenerated <> '') as has_default, a.attgenerated <> '' as generated,
       (select array_agg(e.enumlabel::text order by e.enumsortorder) from pg_catalog.pg_enum e where e.enumtypid = a.atttypid) as enum_labels,
       (select array_agg(pg_catalog.pg_get_constraintdef(k.oid) order by k.conname) from pg_catalog.pg_constraint k
         where k.conrelid = w.oid and k.contype = 'c' and k.conkey = array[a.attnum]) as checks
     from wanted w join pg_catalog.pg_attribute a on a.attrelid = w.oid and a.attnum > 0 and not a.attisdropped
     order by w.table_key, a.attnum`,
    [schemas, names],
  );
  const fks = await client.query<KeyRow>(
    `with wanted as (${wanted})
     select w.table_key, k.conname as name,
       array(select a.attname::text from unnest(k.conkey) with ordinality u(n, i) join pg_catalog.pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.n order by u.i) as columns,
       (select tn.nspname || '.' || tc.relname from pg_catalog.pg_class tc join pg_catalog.pg_namespace tn on tn.oid = tc.relnamespace where tc.oid = k.confrelid) as target,
       array(select a.attname::text from unnest(k.confkey) with ordinality u(n, i) join pg_catalog.pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.n order by u.i) as target_columns
     from wanted w join pg_catalog.pg_constraint k on k.conrelid = w.oid and k.contype = 'f'
     order by w.table_key, k.conname`,
    [schemas, names],
  );
  const uniques = await client.query<{ table_key: string; columns: string[] }>(
    `with wanted as (${wanted})
     select w.table_key,
       array(select a.attname::text from unnest(i.indkey::int2[]) with ordinality u(n, o) join pg_catalog.pg_attribute a on a.attrelid = w.oid and a.attnum = u.n order by u.o) as columns
     from wanted w join pg_catalog.pg_index i on i.indrelid = w.oid and i.indisunique and i.indpred is null and i.indexprs is null`,
    [schemas, names],
  );

  const tables = new Map<string, { schema: string; name: string; columns: LiveColumn[]; foreignKeys: LiveForeignKey[]; uniqueColumns: string[]; uniqueKeys: string[][] }>();
  for (const r of cols.rows) {
    let t = tables.get(r.table_key);
    if (!t) tables.set(r.table_key, (t = { schema: r.schema, name: r.table_name, columns: [], foreignKeys: [], uniqueColumns: [], uniqueKeys: [] }));
    t.columns.push({
      name: r.name, type: r.type, notNull: r.not_null, hasDefault: r.has_default, generated: r.generated,
      enumLabels: r.enum_labels ?? [], checks: r.checks ?? [],
    });
  }
  for (const r of fks.rows) {
    tables.get(r.table_key)?.foreignKeys.push({ name: r.name, columns: r.columns, target: r.target, targetColumns: r.target_columns });
  }
  for (const r of uniques.rows) {
    const t = tables.get(r.table_key);
    t?.uniqueKeys.push(r.columns);
    if (r.columns.length === 1) t?.uniqueColumns.push(r.columns[0]);
  }
  return new Map([...tables].map(([key, t]) => [key, { key, ...t }]));
}

/**
 * Functions in the given schemas that anon or authenticated may execute (trigger
 * functions excluded: they cannot be called directly).
 */
export async function readCallableFunctions(client: Client, schemas: readonly string[]): Promise<LiveFunction[]> {
  const { rows } = await client.query<{ schema: string; name: string; identity: string; arg_types: string[]; executable_by: ("anon" | "authenticated")[] }>(
    `select n.nspname as schema, p.proname as name,
       pg_catalog.format('%s.%s(%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)) as identity,
       array(select pg_catalog.format_type(t, null) from unnest(p.proargtypes::oid[]) with ordinality u(t, i) order by u.i) as arg_types,
       array(select r.rolname::text from pg_catalog.pg_roles r
             where r.rolname in ('anon', 'authenticated') and pg_catalog.has_function_privilege(r.oid, p.oid, 'EXECUTE') order by r.rolname) as executable_by
     from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
     where n.nspname = any($1::text[]) and p.prokind = 'f'
       and p.prorettype <> 'pg_catalog.trigger'::pg_catalog.regtype
       and not exists (select 1 from pg_catalog.pg_depend d where d.objid = p.oid and d.deptype = 'e')
     order by 3`,
    [schemas],
  );
  return rows
    .filter((r) => r.executable_by.length > 0)
    .map((r) => ({ identity: r.identity, schema: r.schema, name: r.name, argTypes: r.arg_types, executableBy: r.executable_by }));
}
