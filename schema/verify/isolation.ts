/**
 * The tenant isolation suite: acts as two customers and as anon against a live
 * database and reports every attempt, its expected and actual outcome, and findings
 * for breaches. Everything happens in one transaction that is rolled back: fixture
 * rows are created with the verifier's own rights (BYPASSRLS), each attempt runs in
 * a savepoint as the caller, and nothing is ever committed.
 */
import { randomUUID } from "node:crypto";
import { Client, type ClientConfig } from "pg";
import type { SchemaModel, TableDecl } from "../model/types";
import type { Attempt, Finding, ForbiddenAction, IsolationOptions, IsolationReport, PublicCatalogDecl } from "./types";
import { readCallableFunctions, readLiveTables, type LiveFunction } from "./isolation-catalog";
import { createFixtures, insertionOrder, RowFactory } from "./isolation-rows";
import { anonAttempts, sharedTableAttempts, tenantAttempts, type AttemptContext, type AttemptSpec, type Ids } from "./isolation-attempts";
import { checkApplier } from "../platform/applier";
import { becomeActor, classifyError, inSavepoint, measure, qualifiedIdent, ident, runAs } from "./isolation-session";

/** The platform's marketplace: the only rows anon may read. */
export const DEFAULT_PUBLIC_CATALOG: PublicCatalogDecl = {
  table: "public.virtual_employees",
  visible: "status in ('stable', 'beta')",
  visibleRow: { status: "stable" },
  hiddenRow: { status: "experimental" },
};

/** Named in the target: tried on every run (where declared) whatever the model grants. */
export const DEFAULT_FORBIDDEN: readonly ForbiddenAction[] = [
  { table: "public.api_keys", command: "select", column: "key_hash", why: "a key's hash is write-only" },
  { table: "public.customers", command: "update", column: "subscription_tier", why: "billing decides the tier" },
  { table: "public.customers", command: "update", column: "subscription_status", why: "billing decides the status" },
  { table: "public.security_audit_log", command: "update", why: "the audit log is append-only" },
  { table: "public.security_audit_log", command: "delete", why: "the audit log is append-only" },
];

const key = (t: { schema: string; name: string }): string => `${t.schema}.${t.name}`;

/** The API roles must exist (checkApplier has already required BYPASSRLS or superuser). */
async function checkRoles(client: Client): Promise<void> {
  const { rows } = await client.query<{ n: number }>("select count(*)::int as n from pg_catalog.pg_roles where rolname in ('anon', 'authenticated')");
  if (rows[0]?.n !== 2) throw new Error("verifyIsolation: roles anon and authenticated do not exist; prepare the platform (preparePlatform) first");
}

function judge(spec: AttemptSpec, actual: Attempt["actual"], code: string | undefined): boolean {
  if (spec.expected === "allowed") return actual === "allowed";
  if (spec.expected === "denied") return actual === "denied";
  return actual === "denied" || actual === "rejected" || actual === "no_rows" || (spec.fkBlocks === true && code === "23503");
}

function findingFor(a: Attempt): Finding | undefined {
  if (a.ok) return undefined;
  const text = `${a.description}: expected ${a.expected}, got ${a.actual} (${a.detail})`;
  if (a.expected === "allowed") {
    return { check: "legitimate_action_failed", level: "error", object: a.object, message: text, remediation: "The model grants this action; check the live grants and policies against the model (run the plan)." };
  }
  if (a.actual === "allowed") {
    return { check: "isolation_breach", level: "error", object: a.object, message: text, remediation: "Tighten the table's policies, grants or same-tenant foreign keys so this cannot happen." };
  }
  if (a.actual === "no_rows" || a.actual === "rejected" || a.actual === "constraint") {
    if (a.expected === "denied") {
      return { check: "excess_privilege", level: "error", object: a.object, message: `${text}: the role holds a privilege the model does not grant`, remediation: "Revoke the privilege; only the policies stand between the role and the rows." };
    }
  }
  return { check: "isolation_inconclusive", level: "warn", object: a.object, message: `${text}: the suite could not tell whether isolation held`, remediation: "Look at the error; give a fixture override if the generated row was invalid." };
}

/** Arguments that try to point a context function at `victim`. */
function argumentFor(type: string, victim: string): string | null {
  if (type === "uuid" || /^(text|character varying|character|name)/.test(type)) return victim;
  if (type === "json" || type === "jsonb") return JSON.stringify({ sub: victim, customer_id: victim, role: "authenticated" });
  if (/^(smallint|integer|bigint|numeric)/.test(type)) return "1";
  if (type === "boolean") return "true";
  return null;
}

/**
 * Calls a function the caller may execute, aimed at another customer, then counts the
 * other customers' rows the caller sees before and after: more after the call means the
 * function changed whose data the caller sees (today's set_customer_context).
 */
async function contextSwitch(client: Client, fn: LiveFunction, actor: "A" | "anon", ids: Ids, tenants: readonly TableDecl[]): Promise<Attempt> {
  const victim = actor === "A" ? ids.B : ids.A;
  const call = { sql: `select ${qualifiedIdent(fn.schema, fn.name)}(${fn.argTypes.map((t, i) => `$${i + 1}::${t}`).join(", ")})`, params: fn.argTypes.map((t) => argumentFor(t, victim)) };
  const visibleOthers = async (): Promise<number> => {
    let n = 0;
    for (const t of tenants) {
      const tc = t.tenancy?.column ?? "";
      const stmt = actor === "anon"
        ? { sql: `select count(*)::int as n from ${qualifiedIdent(t.schema, t.name)}`, params: [] }
        : { sql: `select count(*)::int as n from ${qualifiedIdent(t.schema, t.name)} where ${ident(tc)}::text <> $1`, params: [ids.A] };
      n += await inSavepoint(client, () => measure(client, stmt, "count")).catch(() => 0);
    }
    return n;
  };
  const base = { actor, object: fn.identity, command: "execute" as const, kind: "context_switch", sql: call.sql, expected: "blocked" as const,
    description: `${actor} calls ${fn.identity} aimed at ${actor === "A" ? "B" : "A"} and then reads other customers' rows` };
  const result = await inSavepoint(client, async () => {
    await becomeActor(client, actor, ids);
    const before = await visibleOthers();
    try {
      await client.query(call.sql, call.params);
    } catch (e) {
      return classifyError(e);
    }
    const after = await visibleOthers();
    return after > before
      ? { outcome: "allowed" as const, detail: `other customers' visible rows went from ${before} to ${after}` }
      : { outcome: "no_rows" as const, detail: `the call succeeded; other customers' visible rows stayed at ${before}` };
  });
  const ok = result.outcome !== "allowed" && result.outcome !== "error" && result.outcome !== "constraint";
  return { ...base, actual: result.outcome, detail: result.detail, ok };
}

export async function verifyIsolation(db: ClientConfig, model: SchemaModel, opts: IsolationOptions = {}): Promise<IsolationReport> {
  // Fixture rows go into tables with FORCE ROW LEVEL SECURITY: only BYPASSRLS (or superuser) can write them.
  await checkApplier(db);
  const client = new Client(db);
  await client.connect();
  const findings: Finding[] = [];
  const attempts: Attempt[] = [];
  try {
    await client.query("begin");
    await checkRoles(client);
    await client.query(`set local statement_timeout = ${Math.max(1, Math.floor(opts.statementTimeoutMs ?? 5000))}`);
    await client.query("set local lock_timeout = 2000");

    const declared = model.tables.map(key);
    const live = await readLiveTables(client, [...declared, "auth.users"]);
    // Users are created only when a declared table references them (customers.id -> auth.users.id
    // on some databases): on Supabase, auth.users belongs to the Auth service.
    const hasAuthUsers = [...live.values()].some((t) => t.key !== "auth.users" && t.foreignKeys.some((fk) => fk.target === "auth.users"));
    for (const t of model.tables.filter((x) => !live.has(key(x)))) {
      findings.push({ check: "isolation_table_missing", level: "error", object: key(t), message: `table ${key(t)} is declared but does not exist, so its isolation cannot be checked`, remediation: "Deploy the schema, then verify." });
    }
    const tables = model.tables.filter((t) => live.has(key(t)));
    const tenants = tables.filter((t) => t.tenancy !== undefined);

    const ids: Ids = { A: randomUUID(), B: randomUUID(), C: randomUUID() };
    const tenancy = new Map<string, string>(tenants.map((t) => [key(t), t.tenancy?.column ?? ""]));
    if (hasAuthUsers) tenancy.set("auth.users", "id");
    const catalogDecl = opts.publicCatalog === undefined ? DEFAULT_PUBLIC_CATALOG : opts.publicCatalog;
    const catalog = catalogDecl && tables.some((t) => key(t) === catalogDecl.table && !t.tenancy) ? catalogDecl : undefined;
    const overrides = { ...(opts.overrides ?? {}) };
    if (catalog) overrides[catalog.table] = { ...catalog.visibleRow, ...(overrides[catalog.table] ?? {}) };
    const factory = new RowFactory(live, tenancy, overrides);

    const keys = [...tables.map(key), ...(hasAuthUsers ? ["auth.users"] : [])];
    const fx = await createFixtures(client, factory, {
      order: insertionOrder(keys, live),
      owned: [...tenancy.keys()].map((k) => ({ key: k, owners: k === "auth.users" ? [ids.A, ids.B, ids.C] : [ids.A, ids.B] })),
      shared: tables.filter((t) => !t.tenancy).map(key),
      extra: catalog ? [{ key: catalog.table, name: "hidden", values: catalog.hiddenRow }] : [],
    });

    const ownRows = new Map<string, Map<string, number>>();
    for (const t of tenants) {
      const { rows } = await client.query<{ owner: string; n: number }>(
        `select ${ident(t.tenancy?.column ?? "")}::text as owner, count(*)::int as n from ${qualifiedIdent(t.schema, t.name)} where ${ident(t.tenancy?.column ?? "")}::text = any($1) group by 1`,
        [[ids.A, ids.B]],
      );
      ownRows.set(key(t), new Map(rows.map((r) => [r.owner, r.n])));
    }
    const ctx: AttemptContext = {
      tables, live, factory, fx, ids, ownRows,
      ...(catalog ? { catalog: { key: catalog.table, visible: catalog.visible, hiddenRow: catalog.hiddenRow } } : {}),
      forbidden: DEFAULT_FORBIDDEN.filter((f) => tables.some((t) => key(t) === f.table && (!f.column || t.columns.some((c) => c.name === f.column)))),
    };
    const specs: AttemptSpec[] = [];
    for (const t of tables) {
      try {
        if (t.tenancy) specs.push(...tenantAttempts(ctx, t, "A"), ...tenantAttempts(ctx, t, "B"));
        else specs.push(...sharedTableAttempts(ctx, t, "A"));
        specs.push(...anonAttempts(ctx, t));
      } catch (e) {
        findings.push({ check: "isolation_inconclusive", level: "warn", object: key(t), message: `could not build the attempts for ${key(t)}: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
    for (const spec of specs) {
      const r = await runAs(client, spec.actor, ids, spec.stmt, spec.measure, spec.setup ?? [], spec.verify);
      const { stmt: _stmt, measure: _measure, setup: _setup, fkBlocks: _fk, verify: _verify, ...rest } = spec;
      attempts.push({ ...rest, sql: spec.stmt.sql, actual: r.outcome, detail: r.detail, ok: judge(spec, r.outcome, r.code) });
    }
    for (const fn of await readCallableFunctions(client, model.schemas)) {
      if (fn.executableBy.includes("authenticated")) attempts.push(await contextSwitch(client, fn, "A", ids, tenants));
      if (fn.executableBy.includes("anon")) attempts.push(await contextSwitch(client, fn, "anon", ids, tenants));
    }
  } finally {
    await client.query("rollback").catch(() => undefined);
    await client.end();
  }
  for (const a of attempts) {
    const f = findingFor(a);
    if (f) findings.push(f);
  }
  const count = (check: string): number => findings.filter((f) => f.check === check).length;
  return {
    findings,
    attempts,
    summary: {
      attempts: attempts.length,
      passed: attempts.filter((a) => a.ok).length,
      breaches: count("isolation_breach") + count("excess_privilege"),
      failedLegitimate: count("legitimate_action_failed"),
      inconclusive: count("isolation_inconclusive"),
    },
  };
}
