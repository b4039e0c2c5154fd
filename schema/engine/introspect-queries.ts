/**
 * The catalog queries behind introspect.ts, one per object kind, each filtered by the
 * managed schemas (`s`, a SQL array literal: the queries go as one multi-statement
 * simple query, which takes no parameters). Objects that belong to an extension are
 * left out: the extension owns them.
 */
import type { CatalogColumn, CatalogConstraint, CatalogIndex, CatalogPolicy, CatalogTable } from "./catalog-types";

/** An ACL (PostgreSQL's built-in default when NULL) as a JSON array of `aclitem` texts; acl.ts reads them. */
const aclText = (aclExpr: string, ownerExpr: string): string => `to_json(coalesce(${aclExpr}, acldefault('r', ${ownerExpr}))::text[])`;

const NOT_EXTENSION_MEMBER = (classid: string, objid: string): string =>
  `not exists (select 1 from pg_depend dep where dep.classid = '${classid}'::regclass and dep.objid = ${objid} and dep.deptype = 'e')`;

const USER_TABLES = (s: string): string => `c.relkind in ('r', 'p') and not c.relispartition and n.nspname = any(${s}) and ${NOT_EXTENSION_MEMBER("pg_class", "c.oid")}`;

export interface InfoRow {
  database: string;
  version: string;
  current_user: string;
}
export const INFO = `select current_database() as database, current_setting('server_version_num') as version, current_user::text as current_user`;

export const SCHEMAS = (s: string): string => `select nspname::text as nspname from pg_namespace where nspname = any(${s}) order by 1`;

/** `coalesce(json_agg(...), '[]')`: a table without such objects has an empty list. */
const list = (element: string, orderBy: string, from: string): string => `coalesce((select json_agg(${element} order by ${orderBy}) ${from}), '[]'::json)`;

// A column's ACL is NULL when it has no column-level grants (no default applies).
// A generated column's expression is not a default; it is left out.
const COLUMNS = list(
  `json_build_object('name', a.attname::text, 'num', a.attnum::int, 'type', format_type(a.atttypid, a.atttypmod), 'notNull', a.attnotnull,
     'default', case when a.attgenerated = '' then pg_get_expr(d.adbin, d.adrelid) end,
     'privileges', case when a.attacl is not null then to_json(a.attacl::text[]) end)`,
  "a.attnum",
  `from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped`,
);

// Name lists come back as JSON arrays (attribute numbers resolved to names in order).
const attnames = (keys: string, rel: string): string =>
  `to_json(array(select a.attname::text from unnest(${keys}) with ordinality u(num, i)
          join pg_attribute a on a.attrelid = ${rel} and a.attnum = u.num order by u.i))`;

const FK_ACTION = (col: string): string =>
  `case ${col} when 'a' then 'no action' when 'r' then 'restrict' when 'c' then 'cascade' when 'n' then 'set null' when 'd' then 'set default' else ${col}::text end`;

/**
 * `confdelsetcols` (`ON DELETE SET NULL (cols)`) exists from PostgreSQL 15. It is read
 * through `row_to_json` so that one query text serves every version (no list before
 * 15) and the introspection needs no round trip to learn the version first; only
 * SET NULL / SET DEFAULT keys can carry it, so the row is serialised for those alone.
 */
const SET_COLUMNS = `case when k.confdeltype in ('n', 'd') and json_typeof(row_to_json(k) -> 'confdelsetcols') = 'array' then to_json(array(select a.attname::text
          from json_array_elements_text(row_to_json(k) -> 'confdelsetcols') with ordinality u(num, i)
          join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.num::int2 order by u.i)) else '[]'::json end`;

const CONSTRAINTS = list(
  `json_build_object('name', k.conname::text, 'type', k.contype::text, 'keys', to_json(k.conkey),
     'stored', concat_ws(' ', k.condeferrable, k.condeferred, k.confmatchtype, k.connoinherit, k.conexclop::text), 'validated', k.convalidated,
     'check', case when k.contype = 'c' then pg_get_expr(k.conbin, k.conrelid) end,
     'foreignKey', case when k.contype = 'f' and fc.oid is not null then json_build_object('refSchema', fn.nspname::text, 'refTable', fc.relname::text,
        'refColumns', ${attnames("k.confkey", "k.confrelid")}, 'onDelete', ${FK_ACTION("k.confdeltype")}, 'onUpdate', ${FK_ACTION("k.confupdtype")},
        'setColumns', ${SET_COLUMNS}) end,
     'index', ic.relname::text)`,
  "k.conname::text",
  `from pg_constraint k
     left join pg_class fc on fc.oid = k.confrelid left join pg_namespace fn on fn.oid = fc.relnamespace
     left join pg_class ic on ic.oid = k.conindid and k.contype in ('p', 'u', 'x')
    where k.conrelid = c.oid and k.contype in ('p', 'u', 'f', 'c', 'x')`,
);

const INDEXES = list(
  `json_build_object('name', i.relname::text, 'valid', x.indisvalid, 'method', am.amname::text,
     'keys', to_json(x.indkey::int2[]), 'keyCount', x.indnkeyatts,
     'expressions', case when x.indexprs is not null then to_json(array(select pg_get_indexdef(x.indexrelid, k.i::int, true)
               from unnest(x.indkey::int2[]) with ordinality k(attnum, i) where k.attnum = 0 and k.i <= x.indnkeyatts order by k.i)) end,
     'unique', x.indisunique, 'primary', x.indisprimary, 'predicate', pg_get_expr(x.indpred, x.indrelid),
     'constraint', con.conname::text,
     'stored', concat_ws(' ', x.indclass::text, x.indcollation::text, x.indoption::text, i.reloptions::text,
                         case when x.indisunique then row_to_json(x) ->> 'indnullsnotdistinct' end))`,
  "i.relname::text",
  `from pg_index x join pg_class i on i.oid = x.indexrelid join pg_am am on am.oid = i.relam
     left join pg_constraint con on con.conindid = x.indexrelid and con.conrelid = x.indrelid and con.contype in ('p', 'u', 'x')
    where x.indrelid = c.oid`,
);

const POLICIES = list(
  `json_build_object('name', p.polname::text,
     'command', case p.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update' when 'd' then 'delete' else 'all' end,
     'permissive', p.polpermissive,
     'roles', to_json(array(select case when r = 0 then 'public' else pg_get_userbyid(r)::text end from unnest(p.polroles) r order by 1)),
     'using', pg_get_expr(p.polqual, p.polrelid), 'withCheck', pg_get_expr(p.polwithcheck, p.polrelid))`,
  "p.polname::text",
  "from pg_policy p where p.polrelid = c.oid",
);

// tgtype bits: 1 row, 2 before, 4 insert, 8 delete, 16 update, 32 truncate, 64 instead of.
const TRIGGERS = list(
  `json_build_object('name', t.tgname::text,
     'forEach', case when t.tgtype & 1 <> 0 then 'row' else 'statement' end,
     'timing', case when t.tgtype & 64 <> 0 then 'instead of' when t.tgtype & 2 <> 0 then 'before' else 'after' end,
     'events', to_json(array_remove(array[case when t.tgtype & 4 <> 0 then 'insert' end, case when t.tgtype & 16 <> 0 then 'update' end,
                                          case when t.tgtype & 8 <> 0 then 'delete' end, case when t.tgtype & 32 <> 0 then 'truncate' end], null)),
     'functionSchema', fn.nspname::text, 'functionName', f.proname::text, 'enabled', t.tgenabled <> 'D',
     'definition', pg_get_triggerdef(t.oid))`,
  "t.tgname::text",
  `from pg_trigger t join pg_proc f on f.oid = t.tgfoid join pg_namespace fn on fn.oid = f.pronamespace
    where t.tgrelid = c.oid and not t.tgisinternal`,
);

/**
 * One row per table: the table as a JSON document close to `CatalogTable`, its
 * columns, constraints, indexes, policies and triggers nested, each list in the
 * order the engine reads them (columns by number, the rest by name). introspect.ts
 * turns a document into a `CatalogTable` (`TableDoc` says how the two differ).
 *
 * Why documents: at 1,000 tables the relation filter runs once instead of once per
 * object kind, and Node parses one JSON text per table instead of ~16,000 rows of six
 * queries it then groups by table. Why the differences: the server's time is on a
 * plan's critical path, so it sends what is cheap to send and the client finishes the
 * job: ACLs as `aclitem` text (not ~10,000 exploded JSON objects), key columns as
 * attribute numbers (not a lookup per constraint and index), nulls as they are (not a
 * second pass over the whole text to strip them). The tables come unordered, so each
 * row is sent as soon as it is built (an ORDER BY would hold every row back until the
 * last was done).
 */
type Wire<T, Changed extends keyof T, Extra> = { [K in Exclude<keyof T, Changed>]-?: undefined extends T[K] ? Exclude<T[K], undefined> | null : T[K] } & Extra;
export type ColumnDoc = Wire<CatalogColumn, "privileges", { readonly privileges: readonly string[] | null }>;
/**
 * `stored`: what definitions would add to the other fields (deferrability, match type,
 * NO INHERIT, exclusion operators; operator classes, collations, sort options, storage
 * parameters, NULLS NOT DISTINCT) as the catalog stores it. Only in the document, so the
 * table's digest, and with it the fingerprint, changes when a hand change touches it.
 */
export type ConstraintDoc = Wire<CatalogConstraint, "columns", { readonly keys: readonly number[] | null; readonly stored: string }>;
export type IndexDoc = Wire<CatalogIndex, "columns", { readonly keys: readonly number[]; readonly keyCount: number; readonly expressions: readonly string[] | null; readonly stored: string }>;
export type PolicyDoc = Wire<CatalogPolicy, never, object>;
export type TableDoc = Wire<
  Omit<CatalogTable, "estimatedRows" | "digest">,
  "privileges" | "columns" | "constraints" | "indexes" | "policies",
  {
    readonly privileges: readonly string[];
    readonly columns: readonly ColumnDoc[];
    readonly constraints: readonly ConstraintDoc[];
    readonly indexes: readonly IndexDoc[];
    readonly policies: readonly PolicyDoc[];
  }
>;
/**
 * `doc` is the only `json` column of the catalog read: introspect.ts turns each into a
 * CatalogTable as its row arrives, from the text as sent (whose hash is the table's
 * fingerprint part). Row estimates come apart: they change with traffic.
 */
export interface TableRow {
  reltuples: number;
  doc: CatalogTable;
}
export const TABLES = (s: string): string => `
select c.reltuples::float8 as reltuples, json_build_object(
  'schema', n.nspname::text, 'name', c.relname::text, 'owner', pg_get_userbyid(c.relowner)::text, 'comment', ds.description,
  'rlsEnabled', c.relrowsecurity, 'rlsForced', c.relforcerowsecurity,
  'privileges', ${aclText("c.relacl", "c.relowner")},
  'columns', ${COLUMNS}, 'constraints', ${CONSTRAINTS}, 'indexes', ${INDEXES}, 'policies', ${POLICIES}, 'triggers', ${TRIGGERS}) as doc
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  left join pg_description ds on ds.objoid = c.oid and ds.classoid = 'pg_class'::regclass and ds.objsubid = 0
 where ${USER_TABLES(s)}`;

/**
 * `pg_get_constraintdef` and `pg_get_indexdef`: the most expensive text the server
 * prints (a third of the catalog read at 1,000 tables), and only people read it, in
 * drift. `introspect()` reads it for every table; a plan only for the tables it shows
 * drift on (`tables`: a SQL array literal of qualified, quoted names).
 */
export interface DefinitionRow {
  schema: string;
  table: string;
  kind: "constraint" | "index";
  name: string;
  definition: string;
}
export const DEFINITIONS = (filter: { schemas: string } | { tables: string }): string => {
  const where = "schemas" in filter ? USER_TABLES(filter.schemas) : `c.oid in (select to_regclass(q) from unnest(${filter.tables}) q)`;
  return `
select n.nspname::text as schema, c.relname::text as table, 'constraint' as kind, k.conname::text as name, pg_get_constraintdef(k.oid) as definition
  from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
 where ${where} and k.contype in ('p', 'u', 'f', 'c', 'x')
union all
select n.nspname::text, c.relname::text, 'index', i.relname::text, pg_get_indexdef(x.indexrelid)
  from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class c on c.oid = x.indrelid join pg_namespace n on n.oid = c.relnamespace
 where ${where}`;
};

export interface FunctionRow {
  schema: string;
  name: string;
  arg_types: string[];
  arg_names: string[];
  returns: string;
  language: string;
  volatility: string;
  security_definer: boolean;
  config: string[];
  body: string;
  owner: string;
  /** `aclitem` texts (acl.ts). */
  privileges: string[];
}
// Functions default to EXECUTE for PUBLIC when proacl is NULL; acldefault('f') says so.
export const FUNCTIONS = (s: string): string => `
select n.nspname::text as schema, p.proname::text as name,
       array(select format_type(t, null) from unnest(p.proargtypes::oid[]) with ordinality u(t, i) order by u.i) as arg_types,
       coalesce(p.proargnames, '{}')::text[] as arg_names,
       pg_get_function_result(p.oid) as returns, l.lanname::text as language, p.provolatile::text as volatility,
       p.prosecdef as security_definer, coalesce(p.proconfig, '{}')::text[] as config, p.prosrc as body,
       pg_get_userbyid(p.proowner)::text as owner, coalesce(p.proacl, acldefault('f', p.proowner))::text[] as privileges
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
 where n.nspname = any(${s}) and p.prokind = 'f' and ${NOT_EXTENSION_MEMBER("pg_proc", "p.oid")}
 order by 1, 2, 3`;

export const EXTENSIONS = `select extname::text as extname from pg_extension order by 1`;

export interface RoleRow {
  rolname: string;
  rolcanlogin: boolean;
  rolbypassrls: boolean;
  rolsuper: boolean;
}
export const ROLES = `select rolname::text as rolname, rolcanlogin, rolbypassrls, rolsuper from pg_roles order by 1`;
