/**
 * The Supabase objects a plain PostgreSQL database lacks, written as Supabase defines
 * them (supabase/auth migrations 20240624145325_recreate_auth_functions), so that
 * policies behave the same locally, in CI and in production.
 */

/** Arbitrary but fixed: every process serialises role and auth-schema creation on it. */
export const PLATFORM_LOCK_KEY = 7_361_942_018;

export interface PlatformRole {
  readonly name: string;
  readonly bypassRls: boolean;
}

/** Supabase's API roles: NOLOGIN (PostgREST's `authenticator` switches into them). */
export const PLATFORM_ROLES: readonly PlatformRole[] = [
  { name: "anon", bypassRls: false },
  { name: "authenticated", bypassRls: false },
  { name: "service_role", bypassRls: true },
];

/** Functions of schema `auth` the schema's policies may call, with their return types. */
export const AUTH_FUNCTIONS: readonly { readonly name: string; readonly returns: string }[] = [
  { name: "uid", returns: "uuid" },
  { name: "role", returns: "text" },
  { name: "email", returns: "text" },
  { name: "jwt", returns: "jsonb" },
];

// PostgREST sets `request.jwt.claims` (JSON); older versions set one setting per claim
// (`request.jwt.claim.sub`). Both are read, the per-claim one first, as Supabase does.
// `stable` lets `(select auth.uid())` be evaluated once per statement; an empty
// search_path keeps callers from shadowing anything the body names.
const claim = (key: string, type: string): string => `
  select coalesce(
    nullif(current_setting('request.jwt.claim.${key}', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> '${key}')
  )::${type}`;

export const AUTH_SCHEMA_SQL: readonly string[] = [
  "create schema if not exists auth",
  // Supabase's users table has many more columns; policies and foreign keys only use id.
  "create table if not exists auth.users (id uuid primary key)",
  // As on Supabase: RLS on, and no privileges for the API roles.
  "alter table auth.users enable row level security",
  `create or replace function auth.uid() returns uuid language sql stable set search_path = '' as $fn$${claim("sub", "uuid")}
$fn$`,
  `create or replace function auth.role() returns text language sql stable set search_path = '' as $fn$${claim("role", "text")}
$fn$`,
  `create or replace function auth.email() returns text language sql stable set search_path = '' as $fn$${claim("email", "text")}
$fn$`,
  `create or replace function auth.jwt() returns jsonb language sql stable set search_path = '' as $fn$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$fn$`,
  "grant usage on schema auth to anon, authenticated, service_role",
  "grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt() to anon, authenticated, service_role",
  "grant usage on schema public to anon, authenticated, service_role",
];
