/**
 * The catalog queries behind introspect.ts, one per object kind, each filtered by the
 * managed schemas (`s`, a SQL array literal: the queries go as one multi-statement
 * simple query, which takes no parameters). Objects that belong to an extension are
 * left out: the extension owns them.
 */
import type { CatalogPrivilege } from "./catalog-types";

/** `aclexplode` over an ACL, with PostgreSQL's built-in default when the ACL is NULL. */
function acl(aclExpr: string, defaultKind: "r" | "f", ownerExpr: string): string {
  return `coalesce((select json_agg(json_build_object(
      'grantee', case when a.grantee = 0 then 'PUBLIC' else pg_get_userbyid(a.grantee)::text end,
      'privilege', lower(a.privilege_type), 'grantable', a.is_grantable))
    from aclexplode(coalesce(${aclExpr}, acldefault('${defaultKind}', ${ownerExpr}))) a), '[]'::json)`;
}

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

export interface TableRow {
  schema: string;
  table: string;
  owner: string;
  rls_enabled: boolean;
  rls_forced: boolean;
  reltuples: number;
  comment: string | null;
  privileges: CatalogPrivilege[];
}
// The comment is a join: obj_description() is a SQL function that runs a query per table.
export const TABLES = (s: string): string => `
select n.nspname::text as schema, c.relname::text as table, pg_get_userbyid(c.relowner)::text as owner,
       c.relrowsecurity as rls_enabled, c.relforcerowsecurity as rls_forced, c.reltuples::float8 as reltuples, ds.description as comment,
       ${acl("c.relacl", "r", "c.relowner")} as privileges
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  left join pg_description ds on ds.objoid = c.oid and ds.classoid = 'pg_class'::regclass and ds.objsubid = 0
 where ${USER_TABLES(s)}
 order by 1, 2`;

export interface ColumnRow {
  schema: string;
  table: string;
  name: string;
  num: number;
  type: string;
  not_null: boolean;
  default_expr: string | null;
  privileges: CatalogPrivilege[];
}
// A column's ACL is NULL when it has no column-level grants (no default applies).
// A generated column's expression is not a default; it is left out.
export const COLUMNS = (s: string): string => `
select n.nspname::text as schema, c.relname::text as table, a.attname::text as name, a.attnum::int as num,
       format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null,
       case when a.attgenerated = '' then pg_get_expr(d.adbin, d.adrelid) end as default_expr,
       case when a.attacl is null then '[]'::json else ${acl("a.attacl", "r", "c.relowner")} end as privileges
  from pg_attribute a
  join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
  left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
 where ${USER_TABLES(s)} and a.attnum > 0 and not a.attisdropped
 order by 1, 2, a.attnum`;

export interface ConstraintRow {
  schema: string;
  table: string;
  name: string;
  type: "p" | "u" | "f" | "c" | "x";
  columns: string[];
  definition: string;
  validated: boolean;
  check_expr: string | null;
  ref_schema: string | null;
  ref_table: string | null;
  ref_columns: string[] | null;
  del_action: string;
  upd_action: string;
  set_columns: string[] | null;
  index_name: string | null;
}
// Name lists come back as JSON arrays, not text[]: node-postgres parses text arrays in
// JavaScript character by character, JSON with the native parser (thousands of rows).
const attnames = (keys: string, rel: string): string =>
  `to_json(array(select a.attname::text from unnest(${keys}) with ordinality u(num, i)
          join pg_attribute a on a.attrelid = ${rel} and a.attnum = u.num order by u.i))`;

/**
 * `confdelsetcols` (`ON DELETE SET NULL (cols)`) exists from PostgreSQL 15. It is read
 * through `row_to_json` so that one query text serves every version (null before 15)
 * and the whole introspection needs no round trip to learn the version first; only
 * SET NULL / SET DEFAULT keys can carry it, so the row is serialised for those alone.
 */
export function constraints(s: string): string {
  // A NULL column is JSON null in row_to_json, and absent before 15: both mean no list.
  const setCols = `case when k.confdeltype in ('n', 'd') and json_typeof(row_to_json(k) -> 'confdelsetcols') = 'array' then to_json(array(select a.attname::text
          from json_array_elements_text(row_to_json(k) -> 'confdelsetcols') with ordinality u(num, i)
          join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.num::int2 order by u.i)) else '[]'::json end`;
  return `
select n.nspname::text as schema, c.relname::text as table, k.conname::text as name, k.contype::text as type,
       ${attnames("k.conkey", "k.conrelid")} as columns,
       pg_get_constraintdef(k.oid) as definition, k.convalidated as validated,
       case when k.contype = 'c' then pg_get_expr(k.conbin, k.conrelid) end as check_expr,
       fn.nspname::text as ref_schema, fc.relname::text as ref_table,
       case when k.contype = 'f' then ${attnames("k.confkey", "k.confrelid")} end as ref_columns,
       k.confdeltype::text as del_action, k.confupdtype::text as upd_action,
       case when k.contype = 'f' then ${setCols} end as set_columns,
       ic.relname::text as index_name
  from pg_constraint k
  join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
  left join pg_class fc on fc.oid = k.confrelid left join pg_namespace fn on fn.oid = fc.relnamespace
  left join pg_class ic on ic.oid = k.conindid and k.contype in ('p', 'u', 'x')
 where ${USER_TABLES(s)} and k.contype in ('p', 'u', 'f', 'c', 'x')
 order by 1, 2, 3`;
}

export interface IndexRow {
  schema: string;
  table: string;
  name: string;
  valid: boolean;
  method: string;
  is_unique: boolean;
  is_primary: boolean;
  columns: string[];
  predicate: string | null;
  constraint_name: string | null;
  definition: string;
}
export const INDEXES = (s: string): string => `
select n.nspname::text as schema, c.relname::text as table, i.relname::text as name, x.indisvalid as valid,
       am.amname::text as method, x.indisunique as is_unique, x.indisprimary as is_primary,
       to_json(array(select case when k.attnum = 0 then pg_get_indexdef(x.indexrelid, k.i::int, true) else a.attname::text end
               from unnest(x.indkey::int2[]) with ordinality k(attnum, i)
               left join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.attnum
              where k.i <= x.indnkeyatts order by k.i)) as columns,
       pg_get_expr(x.indpred, x.indrelid) as predicate,
       con.conname::text as constraint_name, pg_get_indexdef(x.indexrelid) as definition
  from pg_index x
  join pg_class i on i.oid = x.indexrelid join pg_am am on am.oid = i.relam
  join pg_class c on c.oid = x.indrelid join pg_namespace n on n.oid = c.relnamespace
  left join pg_constraint con on con.conindid = x.indexrelid and con.conrelid = x.indrelid and con.contype in ('p', 'u', 'x')
 where ${USER_TABLES(s)}
 order by 1, 2, 3`;

export interface PolicyRow {
  schema: string;
  table: string;
  name: string;
  cmd: string;
  permissive: boolean;
  roles: string[];
  using_expr: string | null;
  check_expr: string | null;
}
export const POLICIES = (s: string): string => `
select n.nspname::text as schema, c.relname::text as table, p.polname::text as name, p.polcmd::text as cmd,
       p.polpermissive as permissive,
       to_json(array(select case when r = 0 then 'public' else pg_get_userbyid(r)::text end from unnest(p.polroles) r order by 1)) as roles,
       pg_get_expr(p.polqual, p.polrelid) as using_expr, pg_get_expr(p.polwithcheck, p.polrelid) as check_expr
  from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
 where ${USER_TABLES(s)}
 order by 1, 2, 3`;

export interface TriggerRow {
  schema: string;
  table: string;
  name: string;
  tgtype: number;
  function_schema: string;
  function_name: string;
  enabled: string;
  definition: string;
}
export const TRIGGERS = (s: string): string => `
select n.nspname::text as schema, c.relname::text as table, t.tgname::text as name, t.tgtype::int as tgtype,
       fn.nspname::text as function_schema, f.proname::text as function_name, t.tgenabled::text as enabled,
       pg_get_triggerdef(t.oid) as definition
  from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
  join pg_proc f on f.oid = t.tgfoid join pg_namespace fn on fn.oid = f.pronamespace
 where ${USER_TABLES(s)} and not t.tgisinternal
 order by 1, 2, 3`;

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
  privileges: CatalogPrivilege[];
}
// Functions default to EXECUTE for PUBLIC when proacl is NULL; acldefault('f') says so.
export const FUNCTIONS = (s: string): string => `
select n.nspname::text as schema, p.proname::text as name,
       array(select format_type(t, null) from unnest(p.proargtypes::oid[]) with ordinality u(t, i) order by u.i) as arg_types,
       coalesce(p.proargnames, '{}')::text[] as arg_names,
       pg_get_function_result(p.oid) as returns, l.lanname::text as language, p.provolatile::text as volatility,
       p.prosecdef as security_definer, coalesce(p.proconfig, '{}')::text[] as config, p.prosrc as body,
       pg_get_userbyid(p.proowner)::text as owner, ${acl("p.proacl", "f", "p.proowner")} as privileges
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
