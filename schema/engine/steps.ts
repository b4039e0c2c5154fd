/**
 * Timeouts and the shapes of the steps the planner emits. Table groups take the
 * table's lock first with a short lock_timeout and are retried by apply, so a busy
 * table is never queued behind for long; online steps (concurrent index builds,
 * validations) wait on no long lock, so they get a longer lock wait and a long
 * statement timeout for the scan.
 */
import type { Hazard, PlanStep } from "./plan-types";

/**
 * While a table group waits for its lock, every application write to the table
 * queues behind it: this bounds the extra wait a write can see (the take-over
 * benchmark's budget is 50 ms over the load's own worst latency), and apply retries.
 */
export const TABLE_LOCK_TIMEOUT_MS = 30;
export const TABLE_STATEMENT_TIMEOUT_MS = 30_000;
export const ONLINE_LOCK_TIMEOUT_MS = 1_000;
export const ONLINE_STATEMENT_TIMEOUT_MS = 20 * 60_000;
export const GLOBAL_LOCK_TIMEOUT_MS = 1_000;
export const GLOBAL_STATEMENT_TIMEOUT_MS = 30_000;

export type LockMode = NonNullable<PlanStep["lockMode"]>;
export const LOCK_STRENGTH: Record<LockMode, number> = { "SHARE UPDATE EXCLUSIVE": 1, "SHARE ROW EXCLUSIVE": 2, "ACCESS EXCLUSIVE": 3 };

export function tableGroup(table: string): string {
  return `table:${table}`;
}
export const GLOBAL_GROUP = "global";

/** A statement of a table's transactional group, before the group's lock is known. */
export interface GroupChange {
  /** Order inside the group (see plan.ts for what each phase holds). */
  readonly phase: number;
  readonly id: string;
  readonly object: string;
  readonly action: PlanStep["action"];
  readonly sql: string;
  readonly lock: LockMode;
  readonly hazards: readonly Hazard[];
  readonly precondition?: PlanStep["precondition"];
  readonly consentKey?: string;
  readonly allowedByDeclaration?: boolean;
  readonly alsoLocks?: PlanStep["alsoLocks"];
}

/** A step that runs alone, outside a transaction, or a transactional one of its own. */
export interface LooseStep {
  readonly id: string;
  readonly object: string;
  readonly action: PlanStep["action"];
  readonly sql: string;
  readonly transactional: boolean;
  readonly lock: LockMode;
  readonly hazards: readonly Hazard[];
  readonly precondition?: PlanStep["precondition"];
  readonly cleanupSql?: string;
  readonly alsoLocks?: PlanStep["alsoLocks"];
}

export function onlineStep(table: string, s: LooseStep): PlanStep {
  return {
    id: s.id,
    table,
    group: tableGroup(table),
    object: s.object,
    action: s.action,
    sql: s.sql,
    transactional: s.transactional,
    lockTable: table,
    lockMode: s.lock,
    lockTimeoutMs: s.transactional && s.lock === "ACCESS EXCLUSIVE" ? TABLE_LOCK_TIMEOUT_MS : ONLINE_LOCK_TIMEOUT_MS,
    statementTimeoutMs: s.transactional && s.lock === "ACCESS EXCLUSIVE" ? TABLE_STATEMENT_TIMEOUT_MS : ONLINE_STATEMENT_TIMEOUT_MS,
    hazards: s.hazards,
    ...(s.precondition ? { precondition: s.precondition } : {}),
    ...(s.cleanupSql ? { cleanupSql: s.cleanupSql } : {}),
    ...(s.alsoLocks?.length ? { alsoLocks: s.alsoLocks } : {}),
  };
}

/**
 * The group's statements in phase order, all stamped with the strongest lock any of
 * them needs. A table the group creates has nothing to lock yet (`lockFirst` false).
 */
export function groupSteps(table: string, changes: readonly GroupChange[], lockFirst = true): PlanStep[] {
  if (changes.length === 0) return [];
  const lock = changes.reduce<LockMode>((m, c) => (LOCK_STRENGTH[c.lock] > LOCK_STRENGTH[m] ? c.lock : m), "SHARE UPDATE EXCLUSIVE");
  return [...changes]
    .map((c, i) => ({ c, i }))
    .sort((a, b) => a.c.phase - b.c.phase || a.i - b.i)
    .map(({ c }) => ({
      id: c.id,
      table,
      group: tableGroup(table),
      object: c.object,
      action: c.action,
      sql: c.sql,
      transactional: true,
      ...(lockFirst ? { lockTable: table, lockMode: lock } : {}),
      lockTimeoutMs: TABLE_LOCK_TIMEOUT_MS,
      statementTimeoutMs: TABLE_STATEMENT_TIMEOUT_MS,
      hazards: c.hazards,
      ...(c.precondition ? { precondition: c.precondition } : {}),
      ...(c.consentKey ? { consentKey: c.consentKey } : {}),
      ...(c.allowedByDeclaration !== undefined ? { allowedByDeclaration: c.allowedByDeclaration } : {}),
      ...(c.alsoLocks?.length ? { alsoLocks: c.alsoLocks } : {}),
    }));
}

export function globalStep(s: Omit<PlanStep, "group" | "transactional" | "lockTimeoutMs" | "statementTimeoutMs">): PlanStep {
  return { ...s, group: GLOBAL_GROUP, transactional: true, lockTimeoutMs: GLOBAL_LOCK_TIMEOUT_MS, statementTimeoutMs: GLOBAL_STATEMENT_TIMEOUT_MS };
}
