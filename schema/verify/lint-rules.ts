/**
 * The lint rules as catalog SQL, one query per rule over every table at once, in the
 * spirit of supabase/splinter (the lint ids are splinter's). Every query takes the
 * same parameters and returns `object` and `message` columns:
 *   $1 text[]  schemas to lint
 *   $2 text[]  schemas of the model's tenant tables
 *   $3 text[]  names of the model's tenant tables (same order as $2)
 *   $4 text[]  tenancy columns of those tables (same order)
 * The queries run with `search_path = ''`, as splinter requires for 0003: policy
 * text then spells `auth.uid()` schema-qualified whatever the caller's search_path.
 */
import type { FindingLevel } from "./types";
import { bareCalls } from "./policy-text";

export interface LintRow {
  readonly object: string;
  readonly message: string;
  readonly qual?: string | null;
  readonly with_check?: string | null;
}

export interface LintRule {
  readonly check: string;
  readonly level: FindingLevel;
  readonly remediation: string;
  readonly sql: string;
  /** For rules that read stored text: the finding's message, or undefined when the row is fine. */
  readonly refine?: (row: LintRow) => string | undefined;
}

/** Tables (plain and partitioned) in the linted schemas, not owned by an extension. */
const TABLES = `
  select c.oid, n.nspname as schema_name, c.relname as table_name, c.relrowsecurity, c.relforcerowsecurity
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p') and n.nspname = any($1::text[])
    and not exists (select 1 from pg_catalog.pg_depend d where d.objid = c.oid and d.deptype = 'e')`;

/** Policies with their stored expression text (as pg_policies prints it) on those tables. */
const POLICIES = `
  select t.oid as table_oid, t.schema_name, t.table_name, t.relrowsecurity, p.polname, p.polpermissive, p.polroles,
    case p.polcmd when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE' when 'd' then 'DELETE' else 'ALL' end as command,
    pg_catalog.pg_get_expr(p.polqual, p.polrelid) as qual,
    pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) as with_check
  from pg_catalog.pg_policy p join tables t on t.oid = p.polrelid`;

/** The model's tenant tables that exist. */
const TENANT = `
  select t.*, m.col as tenancy_column
  from unnest($2::text[], $3::text[], $4::text[]) as m(s, n, col)
  join tables t on t.schema_name = m.s and t.table_name = m.n`;

/** The API roles, when they exist (privilege functions error on an unknown role name). */
const API_ROLES = `select oid, rolname from pg_catalog.pg_roles where rolname in ('anon', 'authenticated')`;

/** The shared CTEs, then `extra` CTEs (`, name as (...)`), then the rule's select. */
const withCtes = (body: string, extra = ""): string =>
  `with tables as (${TABLES}), policies as (${POLICIES}), tenant as (${TENANT}), api_roles as (${API_ROLES})${extra}\n${body}`;

const qualified = (schemaCol: string, nameCol: string): string => `pg_catalog.format('%I.%I', ${schemaCol}, ${nameCol})`;
const policyObject = `pg_catalog.format('%I.%I.%I', p.schema_name, p.table_name, p.polname)`;

/** Lower-cased text with whitespace removed, for matching `true` / `1=1` the way splinter does. */
const normalized = (col: string): string => `pg_catalog.regexp_replace(pg_catalog.lower(coalesce(${col}, '')), '\\s', '', 'g')`;
const ALWAYS_TRUE = `('true', '(true)', '1=1', '(1=1)')`;

const securityDefinerExecutable = (role: "anon" | "authenticated"): LintRule => ({
  check: `${role}_security_definer_function_executable`,
  level: "warn",
  remediation: `Revoke EXECUTE from ${role} (and PUBLIC), make the function SECURITY INVOKER, or move it to a schema the API does not expose.`,
  sql: withCtes(`
    select pg_catalog.format('%I.%I(%s)', n.nspname, f.proname, pg_catalog.pg_get_function_identity_arguments(f.oid)) as object,
      pg_catalog.format('SECURITY DEFINER function %I.%I(%s) is executable by %s: it runs with its owner''s rights and bypasses RLS',
        n.nspname, f.proname, pg_catalog.pg_get_function_identity_arguments(f.oid), r.rolname) as message
    from pg_catalog.pg_proc f
    join pg_catalog.pg_namespace n on n.oid = f.pronamespace
    join api_roles r on r.rolname = '${role}'
    where f.prosecdef and n.nspname = any($1::text[])
      and pg_catalog.has_function_privilege(r.oid, f.oid, 'EXECUTE')
      and not exists (select 1 from pg_catalog.pg_depend d where d.objid = f.oid and d.deptype = 'e')
    order by 1`),
});

export const LINT_RULES: readonly LintRule[] = [
  {
    check: "rls_disabled_in_public",
    level: "error",
    remediation: "ALTER TABLE ... ENABLE ROW LEVEL SECURITY and add policies for the roles that need rows.",
    // Splinter asks for SELECT; any DML privilege (table- or column-level) exposes the table just as well.
    sql: withCtes(`
      select ${qualified("t.schema_name", "t.table_name")} as object,
        pg_catalog.format('table %I.%I has row level security disabled but %s can use it through the API',
          t.schema_name, t.table_name, pg_catalog.string_agg(r.rolname, ' and ' order by r.rolname)) as message
      from tables t cross join api_roles r
      where not t.relrowsecurity
        and (pg_catalog.has_table_privilege(r.oid, t.oid, 'SELECT, INSERT, UPDATE, DELETE')
             or pg_catalog.has_any_column_privilege(r.oid, t.oid, 'SELECT, INSERT, UPDATE'))
      group by t.schema_name, t.table_name
      order by 1`),
  },
  {
    check: "rls_disabled",
    level: "warn",
    remediation: "Enable row level security on every table of an exposed schema, even one no API role can use today: a later grant would expose every row.",
    sql: withCtes(`
      select ${qualified("t.schema_name", "t.table_name")} as object,
        pg_catalog.format('table %I.%I has row level security disabled', t.schema_name, t.table_name) as message
      from tables t
      where not t.relrowsecurity
        and not exists (select 1 from api_roles r
          where pg_catalog.has_table_privilege(r.oid, t.oid, 'SELECT, INSERT, UPDATE, DELETE')
             or pg_catalog.has_any_column_privilege(r.oid, t.oid, 'SELECT, INSERT, UPDATE'))
      order by 1`),
  },
  {
    check: "policy_exists_rls_disabled",
    level: "error",
    remediation: "Enable row level security on the table; its policies do nothing until then.",
    sql: withCtes(`
      select ${qualified("p.schema_name", "p.table_name")} as object,
        pg_catalog.format('table %I.%I has policies (%s) but row level security is disabled, so they are not applied',
          p.schema_name, p.table_name, pg_catalog.string_agg(pg_catalog.quote_ident(p.polname), ', ' order by p.polname)) as message
      from policies p where not p.relrowsecurity
      group by p.schema_name, p.table_name order by 1`),
  },
  {
    check: "rls_enabled_no_policy",
    level: "info",
    remediation: "Add an explicit policy for authenticated, even one that admits nothing, so the intent is written down.",
    sql: withCtes(`
      select ${qualified("t.schema_name", "t.table_name")} as object,
        pg_catalog.format('table %I.%I has row level security enabled but no policy', t.schema_name, t.table_name) as message
      from tables t
      where t.relrowsecurity and not exists (select 1 from pg_catalog.pg_policy p where p.polrelid = t.oid)
      order by 1`),
  },
  {
    check: "auth_rls_initplan",
    level: "warn",
    remediation: "Write (select auth.uid()) instead of auth.uid() (and likewise auth.jwt(), auth.role(), current_setting()) so it is evaluated once per statement.",
    // The catalog query finds candidate policies; the stored text is then scanned for
    // calls outside a `(select ...)` (see policy-text.ts).
    sql: withCtes(`
      select ${policyObject} as object, pg_catalog.format('policy %I on %I.%I', p.polname, p.schema_name, p.table_name) as message,
        p.qual, p.with_check
      from policies p
      where p.relrowsecurity
        and (coalesce(p.qual, '') || ' ' || coalesce(p.with_check, '')) ~* '(auth\\.(uid|jwt|role|email)|current_setting)\\s*\\('
      order by 1`),
    refine: (row) => {
      const bare = [...new Set([...bareCalls(row.qual ?? ""), ...bareCalls(row.with_check ?? "")])];
      return bare.length === 0 ? undefined : `${row.message} re-evaluates ${bare.join(", ")} for each row`;
    },
  },
  {
    check: "multiple_permissive_policies",
    level: "warn",
    remediation: "Merge the permissive policies for each role and command into one (OR their conditions), or name disjoint roles.",
    // PUBLIC (role oid 0) expands to every role of the cluster that RLS applies to, as in splinter
    // (superusers and BYPASSRLS roles skip policies, so they are left out).
    sql: withCtes(`
      select ${qualified("schema_name", "table_name")} as object,
        pg_catalog.format('table %I.%I has several permissive policies for %s by %s: %s',
          schema_name, table_name, cmd, pg_catalog.string_agg(rolname, ', ' order by rolname), pg_catalog.array_to_string(policies, ', ')) as message
      from per_role
      group by schema_name, table_name, cmd, policies
      order by 1, 2`, `,
      per_role as (
        select p.schema_name, p.table_name, r.rolname, a.cmd,
          pg_catalog.array_agg(p.polname::text order by p.polname) as policies
        from policies p
        join pg_catalog.pg_roles r on p.polroles @> array[r.oid] or p.polroles = array[0::pg_catalog.oid]
        cross join lateral pg_catalog.unnest(case p.command when 'ALL' then array['SELECT', 'INSERT', 'UPDATE', 'DELETE'] else array[p.command] end) as a(cmd)
        where p.polpermissive and not r.rolbypassrls and not r.rolsuper and r.rolname !~ '^pg_' and r.rolname !~ '^supabase.*admin$'
        group by p.schema_name, p.table_name, r.rolname, a.cmd
        having pg_catalog.count(*) > 1
      )`),
  },
  {
    check: "unindexed_foreign_keys",
    level: "info",
    remediation: "Create an index whose leading columns are the foreign key's columns, in the key's order.",
    // A valid index whose first columns are the key's, in the key's order; a partial index counts (as in splinter).
    sql: withCtes(`
      select ${qualified("t.schema_name", "t.table_name")} as object,
        pg_catalog.format('foreign key %I on %I.%I (%s) has no index leading with its columns in that order',
          k.conname, t.schema_name, t.table_name,
          (select pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' order by u.i)
           from pg_catalog.unnest(k.conkey) with ordinality as u(att, i)
           join pg_catalog.pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.att)) as message
      from pg_catalog.pg_constraint k join tables t on t.oid = k.conrelid
      where k.contype = 'f'
        and not exists (
          select 1 from pg_catalog.pg_index i
          where i.indrelid = k.conrelid and i.indisvalid
            and (pg_catalog.string_to_array(i.indkey::text, ' ')::smallint[])[1:pg_catalog.array_length(k.conkey, 1)] = k.conkey)
      order by 1, 2`),
  },
  {
    check: "function_search_path_mutable",
    level: "warn",
    remediation: "Pin the function's search path: ALTER FUNCTION ... SET search_path = '' (and qualify the names in its body).",
    sql: withCtes(`
      select pg_catalog.format('%I.%I(%s)', n.nspname, f.proname, pg_catalog.pg_get_function_identity_arguments(f.oid)) as object,
        pg_catalog.format('function %I.%I(%s) has a role-mutable search_path', n.nspname, f.proname, pg_catalog.pg_get_function_identity_arguments(f.oid)) as message
      from pg_catalog.pg_proc f join pg_catalog.pg_namespace n on n.oid = f.pronamespace
      where n.nspname = any($1::text[])
        and not exists (select 1 from pg_catalog.unnest(coalesce(f.proconfig, '{}')) as c(setting) where c.setting like 'search\\_path=%')
        and not exists (select 1 from pg_catalog.pg_depend d where d.objid = f.oid and d.deptype = 'e')
      order by 1`),
  },
  securityDefinerExecutable("anon"),
  securityDefinerExecutable("authenticated"),
  {
    check: "security_definer_view",
    level: "error",
    remediation: "ALTER VIEW ... SET (security_invoker = true), or revoke SELECT from anon and authenticated.",
    sql: withCtes(`
      select ${qualified("n.nspname", "v.relname")} as object,
        pg_catalog.format('view %I.%I runs with its owner''s rights (no security_invoker) and is selectable by %s',
          n.nspname, v.relname, pg_catalog.string_agg(r.rolname, ' and ' order by r.rolname)) as message
      from pg_catalog.pg_class v
      join pg_catalog.pg_namespace n on n.oid = v.relnamespace
      cross join api_roles r
      where v.relkind = 'v' and n.nspname = any($1::text[])
        and not exists (select 1 from pg_catalog.unnest(coalesce(v.reloptions, '{}')) as o(opt) where o.opt ~* '^security_invoker=(true|on|yes|1)$')
        and pg_catalog.has_table_privilege(r.oid, v.oid, 'SELECT')
        and not exists (select 1 from pg_catalog.pg_depend d where d.objid = v.oid and d.deptype = 'e')
      group by n.nspname, v.relname order by 1`),
  },
  {
    check: "duplicate_index",
    level: "warn",
    remediation: "Drop all but one of the identical indexes.",
    // Identical definitions once the index name is taken out, as splinter compares them.
    sql: withCtes(`
      select ${qualified("t.schema_name", "t.table_name")} as object,
        pg_catalog.format('table %I.%I has identical indexes %s', t.schema_name, t.table_name,
          pg_catalog.string_agg(pg_catalog.quote_ident(ic.relname), ', ' order by ic.relname)) as message
      from pg_catalog.pg_index i
      join tables t on t.oid = i.indrelid
      join pg_catalog.pg_class ic on ic.oid = i.indexrelid
      group by t.schema_name, t.table_name, pg_catalog.replace(pg_catalog.pg_get_indexdef(i.indexrelid), pg_catalog.quote_ident(ic.relname), '')
      having pg_catalog.count(*) > 1
      order by 1`),
  },
  {
    check: "no_primary_key",
    level: "info",
    remediation: "Add a primary key.",
    sql: withCtes(`
      select ${qualified("t.schema_name", "t.table_name")} as object,
        pg_catalog.format('table %I.%I has no primary key', t.schema_name, t.table_name) as message
      from tables t
      where not exists (select 1 from pg_catalog.pg_constraint k where k.conrelid = t.oid and k.contype = 'p')
      order by 1`),
  },
  {
    check: "rls_policy_always_true",
    level: "warn",
    remediation: "Give the policy a real condition (e.g. customer_id = (select auth.uid())), or drop it.",
    // Splinter's rule: SELECT with USING (true) is left alone (public reads are often deliberate).
    sql: withCtes(`
      select ${policyObject} as object,
        pg_catalog.format('policy %I on %I.%I lets %s %s any row (%s)', p.polname, p.schema_name, p.table_name,
          case when p.polroles = array[0::pg_catalog.oid] then 'PUBLIC'
               else (select pg_catalog.string_agg(r.rolname, ', ' order by r.rolname) from pg_catalog.pg_roles r where r.oid = any(p.polroles)) end,
          p.command,
          case when p.command = 'INSERT' or (p.command in ('UPDATE', 'ALL') and ${normalized("p.with_check")} in ${ALWAYS_TRUE}) then 'WITH CHECK is always true' else 'USING is always true' end) as message
      from policies p
      where p.relrowsecurity and p.polpermissive
        and (p.polroles = array[0::pg_catalog.oid]
             or exists (select 1 from pg_catalog.pg_roles r where r.oid = any(p.polroles) and r.rolname in ('anon', 'authenticated')))
        and (
          (p.command in ('UPDATE', 'DELETE', 'ALL') and (${normalized("p.qual")} in ${ALWAYS_TRUE} or p.qual is null))
          or ${normalized("p.with_check")} in ${ALWAYS_TRUE}
          or (p.with_check is null and p.command = 'INSERT')
          or (p.with_check is null and p.command in ('UPDATE', 'ALL') and ${normalized("p.qual")} in ${ALWAYS_TRUE}))
      order by 1`),
  },
  {
    check: "tenant_table_rls_not_forced",
    level: "error",
    remediation: "ALTER TABLE ... ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY: otherwise the owner sees every tenant's rows.",
    sql: withCtes(`
      select ${qualified("t.schema_name", "t.table_name")} as object,
        pg_catalog.format('tenant table %I.%I has row level security %s', t.schema_name, t.table_name,
          case when not t.relrowsecurity then 'disabled' else 'enabled but not forced' end) as message
      from tenant t
      where not (t.relrowsecurity and t.relforcerowsecurity)
      order by 1`),
  },
  {
    check: "policy_without_role",
    level: "warn",
    remediation: "Name the roles: CREATE POLICY ... TO authenticated. A policy without TO applies to PUBLIC, every role.",
    sql: withCtes(`
      select ${policyObject} as object,
        pg_catalog.format('policy %I on %I.%I has no TO role list, so it applies to PUBLIC', p.polname, p.schema_name, p.table_name) as message
      from policies p
      where p.polroles = array[0::pg_catalog.oid]
      order by 1`),
  },
  {
    check: "anon_grant_on_tenant_table",
    level: "error",
    remediation: "REVOKE ALL ON the table FROM anon (and PUBLIC): a signed-out caller has no business with any customer's rows.",
    sql: withCtes(`
      select ${qualified("t.schema_name", "t.table_name")} as object,
        pg_catalog.format('anon holds privileges on tenant table %I.%I', t.schema_name, t.table_name) as message
      from tenant t join api_roles r on r.rolname = 'anon'
      where pg_catalog.has_table_privilege(r.oid, t.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
         or pg_catalog.has_any_column_privilege(r.oid, t.oid, 'SELECT, INSERT, UPDATE, REFERENCES')
      order by 1`),
  },
  {
    check: "tenant_column_unindexed",
    level: "warn",
    remediation: "Create an index leading with the tenancy column: every policy filters on it.",
    sql: withCtes(`
      select ${qualified("t.schema_name", "t.table_name")} as object,
        pg_catalog.format('no valid index of tenant table %I.%I leads with its tenancy column %I, which every policy filters on',
          t.schema_name, t.table_name, t.tenancy_column) as message
      from tenant t
      where not exists (
        select 1 from pg_catalog.pg_index i
        join pg_catalog.pg_attribute a on a.attrelid = t.oid and a.attname = t.tenancy_column
        where i.indrelid = t.oid and i.indisvalid and i.indkey[0] = a.attnum)
      order by 1`),
  },
];
