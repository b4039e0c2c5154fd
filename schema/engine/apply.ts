/**
 * Executes a Plan against a live database, safely for a busy production server:
 *
 * - Each table's transactional steps commit together, in a transaction that takes
 *   the table's lock first with a short lock_timeout, so the migration never queues
 *   behind (and blocks) application traffic for long. On lock timeout or deadlock
 *   the whole group is rolled back and retried with jittered backoff. One
 *   transaction over every table would deadlock with the application's own
 *   multi-table writes, hence one transaction per table.
 * - Non-transactional steps (CREATE INDEX CONCURRENTLY) run alone; when one fails
 *   its cleanup drops the INVALID index it leaves behind, so a rerun starts clean.
 * - A step whose precondition returns rows is skipped and reported as blocked
 *   (e.g. a constraint left NOT VALID because existing rows break it).
 * - Session advisory locks, one per plan group, keep two appliers from
 *   interleaving on the same table while different tables proceed in parallel.
 * - Data-losing steps are refused, before anything runs, unless the declaration
 *   or the caller allows that exact change.
 * - Every session runs with TimeZone UTC: converting `timestamp` to `timestamptz`
 *   then reads old values as UTC and is a metadata-only change.
 */
import { Client, type ClientConfig, type QueryResult } from "pg";
import type { ApplyResult, BlockedConstraint, LockMode, Plan, PlanStep, StepResult } from "./plan-types";
import { currentFingerprint } from "./fingerprint";
import { qualifiedKey } from "./sql";
import { LOCK_STRENGTH } from "./steps";

export interface ApplyOptions {
  /** Consent keys of data-losing steps the caller allows ("public.tasks.old_column"). */
  readonly allowDataLoss?: readonly string[];
  /** Progress events, for the command line and logs. */
  readonly onEvent?: (event: ApplyEvent) => void;
  /** Attempts per group on lock timeout or deadlock (default 10). */
  readonly maxAttempts?: number;
  /** First retry delay; doubles per attempt with jitter, capped at 2 s (default 50 ms). */
  readonly retryBaseDelayMs?: number;
  /** How long to wait for another applier holding one of this plan's groups (default 120 s). */
  readonly advisoryLockWaitMs?: number;
  /**
   * Refuse the plan if the live catalog changed since it was computed (checked once
   * the advisory locks are held, so a concurrent applier's work is seen). Default true.
   */
  readonly verifyFingerprint?: boolean;
}

export type ApplyEvent =
  | { readonly type: "waiting-for-lock"; readonly group: string; readonly holderPid?: number }
  | { readonly type: "step-start"; readonly step: PlanStep; readonly attempt: number }
  | { readonly type: "step-done"; readonly step: PlanStep; readonly durationMs: number }
  | { readonly type: "blocked"; readonly step: PlanStep; readonly rows: readonly string[] }
  | { readonly type: "retry"; readonly group: string; readonly attempt: number; readonly reason: string; readonly delayMs: number };

/** Apply failed: names the step, its SQL and PostgreSQL's reason. */
export class ApplyError extends Error {
  constructor(
    message: string,
    readonly step: PlanStep | undefined,
    readonly sqlState: string | undefined,
    readonly result: ApplyResult,
  ) {
    super(message);
    this.name = "ApplyError";
  }
}

/** Data-losing steps without consent; nothing was run. */
export class DataLossRefusedError extends Error {
  constructor(readonly consentKeys: readonly string[]) {
    super(
      `refusing to run ${consentKeys.length} data-losing change(s): ${consentKeys.join(", ")}. ` +
        `Nothing was changed. To allow exactly these, pass ${consentKeys.map((k) => `--allow-data-loss ${k}`).join(" ")} ` +
        `(or list them in the table declaration's allowDataLoss).`,
    );
    this.name = "DataLossRefusedError";
  }
}

const RETRYABLE = new Set(["55P03" /* lock_not_available */, "40P01" /* deadlock_detected */]);
const DEFAULTS = { maxAttempts: 10, retryBaseDelayMs: 50, advisoryLockWaitMs: 120_000 } as const;

/** A run of steps executed as one unit: a transaction, or one non-transactional statement. */
interface Unit {
  readonly group: string;
  readonly transactional: boolean;
  readonly steps: readonly PlanStep[];
}

export function unitsOf(plan: Plan): Unit[] {
  const units: Unit[] = [];
  for (const step of plan.steps) {
    const last = units[units.length - 1];
    if (step.transactional && last?.transactional && last.group === step.group) {
      (last.steps as PlanStep[]).push(step);
    } else {
      units.push({ group: step.group, transactional: step.transactional, steps: [step] });
    }
  }
  return units;
}

/** Consent keys of data-losing steps that neither the declaration nor the caller allows. */
export function unconsentedDataLoss(plan: Plan, allowDataLoss: readonly string[] = []): string[] {
  const allowed = new Set(allowDataLoss);
  return plan.steps
    .filter((s) => s.hazards.some((h) => h.kind === "DATA_LOSS"))
    .filter((s) => !s.allowedByDeclaration && !(s.consentKey !== undefined && allowed.has(s.consentKey)))
    .map((s) => s.consentKey ?? s.id);
}

export async function apply(db: ClientConfig, plan: Plan, options: ApplyOptions = {}): Promise<ApplyResult> {
  if (plan.formatVersion !== 1) throw new Error(`unsupported plan formatVersion ${String(plan.formatVersion)}; expected 1`);
  const refused = unconsentedDataLoss(plan, options.allowDataLoss);
  if (refused.length > 0) throw new DataLossRefusedError(refused);

  const opts = { ...DEFAULTS, ...options };
  const results = new Map<string, StepResult>(plan.steps.map((s) => [s.id, { id: s.id, status: "not-run", attempts: 0, durationMs: 0 }]));
  const blocked: BlockedConstraint[] = [];
  const snapshot = (): ApplyResult => ({ steps: plan.steps.map((s) => results.get(s.id)!), blocked: [...blocked] });
  if (plan.steps.length === 0) return snapshot();

  const client = new Client(db);
  await client.connect();
  try {
    await client.query("set application_name = 've-infra apply'; set TimeZone = 'UTC'");
    await refuseWithoutBypassRls(client);
    const groups = [...new Set(plan.steps.map((s) => s.group))].sort();
    for (const group of groups) await takeAdvisoryLock(client, group, opts.advisoryLockWaitMs, opts.onEvent);

    if (opts.verifyFingerprint !== false) {
      const now = await currentFingerprint(client, plan);
      if (now !== plan.fingerprint) {
        throw new ApplyError(
          "the database changed since this plan was computed (fingerprint mismatch); nothing was applied. Plan again and review the new plan.",
          undefined,
          undefined,
          snapshot(),
        );
      }
    }

    for (const unit of unitsOf(plan)) {
      await runUnit(client, unit, opts, results, blocked, snapshot);
    }
    return snapshot();
  } finally {
    // Closing the session releases its advisory locks.
    await client.end().catch(() => undefined);
  }
}

async function refuseWithoutBypassRls(client: Client): Promise<void> {
  const { rows } = await client.query<{ ok: boolean; role: string }>(
    "select (rolsuper or rolbypassrls) as ok, rolname as role from pg_roles where rolname = current_user",
  );
  if (!rows[0]?.ok) {
    throw new Error(
      `role "${rows[0]?.role ?? "?"}" has neither SUPERUSER nor BYPASSRLS: under FORCE ROW LEVEL SECURITY it would see no rows ` +
        `and could validate constraints over rows that break them. Connect as a role with BYPASSRLS (on Supabase: postgres).`,
    );
  }
}

/** Stable 64-bit key for a group, namespaced so other tools' advisory locks never collide. */
const ADVISORY_KEY_SQL = "hashtextextended('ve-infra:' || $1, 0)";

async function takeAdvisoryLock(client: Client, group: string, waitMs: number, onEvent?: (e: ApplyEvent) => void): Promise<void> {
  const deadline = Date.now() + waitMs;
  let announced = false;
  for (;;) {
    const { rows } = await client.query<{ ok: boolean }>(`select pg_try_advisory_lock(${ADVISORY_KEY_SQL}) as ok`, [group]);
    if (rows[0].ok) return;
    const holder = await advisoryHolder(client, group);
    if (!announced) {
      onEvent?.({ type: "waiting-for-lock", group, holderPid: holder });
      announced = true;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `another ve-infra apply (backend pid ${holder ?? "unknown"}) is changing ${group}; waited ${waitMs} ms. ` +
          `Wait for it to finish and run again.`,
      );
    }
    await sleep(Math.min(250, Math.max(10, deadline - Date.now())));
  }
}

async function advisoryHolder(client: Client, group: string): Promise<number | undefined> {
  const { rows } = await client.query<{ pid: number }>(
    `select l.pid from pg_locks l
      where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_database where datname = current_database())
        and ((l.classid::bigint << 32) | l.objid::bigint) = ${ADVISORY_KEY_SQL}
      limit 1`,
    [group],
  );
  return rows[0]?.pid;
}

async function runUnit(
  client: Client,
  unit: Unit,
  opts: Required<Pick<ApplyOptions, "maxAttempts" | "retryBaseDelayMs">> & ApplyOptions,
  results: Map<string, StepResult>,
  blocked: BlockedConstraint[],
  snapshot: () => ApplyResult,
): Promise<void> {
  const started = Date.now();
  // Whether to take the other tables before the unit's own (see locksOf).
  let parentsFirst = false;
  for (let attempt = 1; ; attempt++) {
    const blockedThisAttempt: BlockedConstraint[] = [];
    let current: PlanStep | undefined;
    let locksHeld = 0;
    try {
      if (unit.transactional) {
        await client.query("begin");
        const first = unit.steps[0];
        await client.query(`set local lock_timeout = ${ms(first.lockTimeoutMs)}`);
        for (const { table, mode } of locksOf(unit, parentsFirst)) {
          await client.query(`lock table ${qualifiedKey(table)} in ${mode} mode`);
          locksHeld++;
        }
      }
      for (const step of unit.steps) {
        current = step;
        opts.onEvent?.({ type: "step-start", step, attempt });
        const t0 = Date.now();
        await setTimeouts(client, step, unit.transactional);
        const offending = step.precondition ? await client.query(step.precondition.sql) : undefined;
        if (offending && offending.rowCount) {
          const rows = offending.rows.map(rowAsText);
          blockedThisAttempt.push({
            table: step.table ?? step.group,
            constraint: step.object,
            reason: step.precondition!.description,
            rows: rows.slice(0, 100),
            rowCount: rows.length,
          });
          results.set(step.id, { id: step.id, status: "skipped-blocked", attempts: attempt, durationMs: Date.now() - t0 });
          opts.onEvent?.({ type: "blocked", step, rows });
          continue;
        }
        await client.query(step.sql);
        results.set(step.id, { id: step.id, status: "applied", attempts: attempt, durationMs: Date.now() - t0 });
        opts.onEvent?.({ type: "step-done", step, durationMs: Date.now() - t0 });
      }
      if (unit.transactional) await client.query("commit");
      else await resetTimeouts(client);
      blocked.push(...blockedThisAttempt);
      return;
    } catch (err) {
      const state = sqlState(err);
      let canRetry = true;
      if (unit.transactional) await client.query("rollback").catch(() => undefined);
      else canRetry = await cleanUp(client, current);
      // A rolled-back group applied nothing: its steps are not-run again.
      if (unit.transactional) for (const s of unit.steps) results.set(s.id, { id: s.id, status: "not-run", attempts: attempt, durationMs: 0 });
      // Timing out on a second table while holding the first is the signature of a
      // writer that takes the two in the other order: take them the other way round.
      if (locksHeld > 0 && current === undefined) parentsFirst = !parentsFirst;
      if (canRetry && state && RETRYABLE.has(state) && attempt < opts.maxAttempts) {
        const delayMs = backoff(opts.retryBaseDelayMs, attempt);
        opts.onEvent?.({ type: "retry", group: unit.group, attempt, reason: describe(err), delayMs });
        await sleep(delayMs);
        continue;
      }
      if (current) results.set(current.id, { id: current.id, status: "failed", attempts: attempt, durationMs: Date.now() - started, error: describe(err) });
      const what = current ? `step ${current.id} (${current.object})` : `group ${unit.group}`;
      const retried = state && RETRYABLE.has(state) ? ` after ${attempt} attempt(s)` : "";
      const leftover = canRetry ? "" : "  Its INVALID leftover could not be dropped yet; the next plan rebuilds it.\n";
      throw new ApplyError(
        `${what} failed${retried}: ${describe(err)}\n  SQL: ${current?.sql ?? "(lock)"}\n` +
          leftover +
          (unit.transactional ? `  The transaction for ${unit.group} was rolled back; ` : "  ") +
          "earlier groups are committed and a rerun finishes the job.",
        current,
        state,
        snapshot(),
      );
    }
  }
}

/**
 * The tables a transactional unit locks before its first statement, each in the
 * strongest mode any step needs, so no statement upgrades a lock mid-way: its own
 * table and the other tables its steps touch (a foreign key's parent). No single
 * order is safe: a writer inserting into the child locks the child first and the
 * parent in its foreign-key check, while a writer that touched the parent earlier
 * in its transaction holds the parent and then wants the child. The applier starts
 * own-table-first and flips the order when it times out holding one table and
 * waiting for the next (see runUnit); the others are sorted so appliers agree.
 */
export function locksOf(unit: Unit, parentsFirst = false): { table: string; mode: LockMode }[] {
  const own = new Map<string, LockMode>();
  const others = new Map<string, LockMode>();
  const want = (into: Map<string, LockMode>, table: string, mode: LockMode) => {
    const had = into.get(table);
    if (!had || LOCK_STRENGTH[mode] > LOCK_STRENGTH[had]) into.set(table, mode);
  };
  for (const s of unit.steps) if (s.lockTable) want(own, s.lockTable, s.lockMode ?? "ACCESS EXCLUSIVE");
  for (const s of unit.steps) for (const o of s.alsoLocks ?? []) if (!own.has(o.table)) want(others, o.table, o.mode);
  const sortedOthers = [...others].sort(([a], [b]) => a.localeCompare(b));
  const ordered = parentsFirst ? [...sortedOthers, ...own] : [...own, ...sortedOthers];
  return ordered.map(([table, mode]) => ({ table, mode }));
}

async function setTimeouts(client: Client, step: PlanStep, inTransaction: boolean): Promise<void> {
  const scope = inTransaction ? "local " : "";
  await client.query(`set ${scope}lock_timeout = ${ms(step.lockTimeoutMs)}; set ${scope}statement_timeout = ${ms(step.statementTimeoutMs)}`);
}

async function resetTimeouts(client: Client): Promise<void> {
  await client.query("reset lock_timeout; reset statement_timeout");
}

/**
 * Drops what a failed non-transactional step left behind, under the step's own
 * lock_timeout: DROP INDEX CONCURRENTLY waits for every open transaction on the
 * table, and must not hang behind the very traffic that made the step fail. If the
 * cleanup cannot run now, the next plan sees the INVALID index and rebuilds it.
 */
async function cleanUp(client: Client, step: PlanStep | undefined): Promise<boolean> {
  let cleaned = true;
  if (step?.cleanupSql) {
    await client.query(`set lock_timeout = ${ms(step.lockTimeoutMs)}`).catch(() => undefined);
    cleaned = await client.query(step.cleanupSql).then(
      () => true,
      () => false,
    );
  }
  await resetTimeouts(client).catch(() => undefined);
  return cleaned;
}

function ms(value: number): string {
  if (!Number.isInteger(value) || value < 0) throw new Error(`invalid timeout ${value}`);
  return `'${value}ms'`;
}

function backoff(base: number, attempt: number): number {
  const exp = Math.min(2000, base * 2 ** (attempt - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

function rowAsText(row: QueryResult["rows"][number]): string {
  const values = Object.values(row as Record<string, unknown>);
  return values.map((v) => (v === null ? "null" : String(v))).join(", ");
}

function sqlState(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err && typeof (err as { code: unknown }).code === "string"
    ? (err as { code: string }).code
    : undefined;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const state = sqlState(err);
    return state ? `${err.message} (SQLSTATE ${state})` : err.message;
  }
  return String(err);
}

function sleep(msDelay: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, msDelay));
}
