/**
 * The floor: one catalog query, as one `psql` process, that reads what a planner must
 * read (tables with RLS flags and privileges, columns, constraints, indexes,
 * policies with roles and expressions) for the `public` schema. No tool that reads
 * the catalog over a fresh connection can beat this by much.
 *
 * The same query's output, compared line by line between two databases, is also the
 * benchmark's independent convergence oracle (see converge.ts).
 */
export const CATALOG_QUERY = `
with rel as (
  select c.oid, c.relname, c.relrowsecurity, c.relforcerowsecurity, c.relacl
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = 'public' and c.relkind in ('r', 'p')
)
select 'table', relname, relrowsecurity::text || ' ' || relforcerowsecurity::text || ' ' || coalesce(relacl::text, '') from rel
union all
select 'column', r.relname || '.' || a.attname,
       format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull::text || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') || ' ' || coalesce(a.attacl::text, '')
  from rel r join pg_attribute a on a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped
  left join pg_attrdef d on d.adrelid = r.oid and d.adnum = a.attnum
union all
select 'constraint', r.relname || '.' || co.conname, pg_get_constraintdef(co.oid) || ' ' || co.convalidated::text
  from rel r join pg_constraint co on co.conrelid = r.oid
union all
select 'index', r.relname || '.' || ic.relname, pg_get_indexdef(x.indexrelid) || ' ' || x.indisvalid::text
  from rel r join pg_index x on x.indrelid = r.oid join pg_class ic on ic.oid = x.indexrelid
union all
select 'policy', r.relname || '.' || p.polname,
       p.polcmd::text || ' ' || p.polpermissive::text || ' ' ||
       coalesce((select string_agg(case when ro = 0 then 'public' else pg_get_userbyid(ro)::text end, ',' order by 1) from unnest(p.polroles) ro), '') || ' ' ||
       coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' ' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')
  from rel r join pg_policy p on p.polrelid = r.oid
order by 1, 2`.trim();

/** argv for the floor process (psql -X: no psqlrc; -A -t: unaligned rows only). */
export function floorCommand(url: string): string[] {
  return ["/usr/bin/psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", CATALOG_QUERY];
}
