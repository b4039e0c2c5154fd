/**
 * A plan is data: an ordered list of statements, each with its SQL, its timeouts
 * and its hazards (after stripe/pg-schema-diff). The command line renders it, the
 * Pulumi providers apply it, the pull-request comment shows it. Its JSON shape
 * (`formatVersion: 1`) is a public contract: change it only by bumping the version.
 */

/**
 * Hazard classes. `SECURITY` is its own class: RLS turned on or off, a policy
 * added, removed or changed, a grant added or revoked, a function's rights changed.
 */
export const HAZARD_KINDS = ["DATA_LOSS", "TABLE_REWRITE", "LONG_LOCK", "INDEX_BUILD", "SECURITY"] as const;
export type HazardKind = (typeof HAZARD_KINDS)[number];

export interface Hazard {
  readonly kind: HazardKind;
  /** One sentence: what may happen and why. */
  readonly message: string;
  /** For SECURITY: true when the change gives some role more access than before. */
  readonly widensAccess?: boolean;
}

export type LockMode = "ACCESS EXCLUSIVE" | "SHARE ROW EXCLUSIVE" | "SHARE UPDATE EXCLUSIVE";

/**
 * Steps run in plan order. Consecutive transactional steps with the same `group`
 * commit together in one transaction that first takes `lockTable`'s lock.
 * Non-transactional steps (CREATE INDEX CONCURRENTLY) run alone.
 */
export interface PlanStep {
  /** Stable within a plan, e.g. "public.tasks:policy:tasks_select:create". */
  readonly id: string;
  /** The table the step belongs to ("public.tasks"), or undefined for schema-wide objects. */
  readonly table?: string;
  /** Transaction group; also the advisory-lock key ("table:public.tasks", "global"). */
  readonly group: string;
  /** What the step changes, for people: "policy tasks_select on public.tasks". */
  readonly object: string;
  readonly action: "create" | "alter" | "drop" | "replace" | "validate" | "rebuild";
  readonly sql: string;
  readonly transactional: boolean;
  /** Table whose lock the group takes first (`LOCK TABLE ... IN <mode> MODE`). */
  readonly lockTable?: string;
  readonly lockMode?: LockMode;
  /**
   * Other tables the step locks, e.g. the table a foreign key references (adding
   * one takes SHARE ROW EXCLUSIVE on it, dropping one ACCESS EXCLUSIVE). The group
   * takes them right after `lockTable`, up front, so no statement waits for a lock
   * in the middle of the transaction while holding the table.
   */
  readonly alsoLocks?: readonly { readonly table: string; readonly mode: LockMode }[];
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
  readonly hazards: readonly Hazard[];
  /**
   * Runs before the step; when it returns rows, the step is skipped and reported
   * as blocked with those rows (e.g. rows that break a constraint to validate).
   */
  readonly precondition?: { readonly sql: string; readonly description: string };
  /** For DATA_LOSS steps: the name a caller passes to allow exactly this change ("public.tasks.old_col"). */
  readonly consentKey?: string;
  /** True when the declaration itself allows this data-losing change. */
  readonly allowedByDeclaration?: boolean;
  /** SQL that undoes a failed non-transactional step's leftovers (dropping an INVALID index). */
  readonly cleanupSql?: string;
}

/** A constraint left NOT VALID because existing rows break it; still enforced for new rows. */
export interface BlockedConstraint {
  readonly table: string;
  readonly constraint: string;
  readonly reason: string;
  /** Primary keys (as text) of up to 100 offending rows. */
  readonly rows: readonly string[];
  readonly rowCount: number;
}

/** Something live that the model does not declare, kept and reported (e.g. a column holding data). */
export interface KeptObject {
  readonly table?: string;
  readonly object: string;
  readonly reason: string;
}

/** A difference found between the model and the live database, for drift reports. */
export interface DriftItem {
  readonly table?: string;
  readonly object: string;
  readonly expected: string;
  readonly actual: string;
  readonly security: boolean;
}

export interface Plan {
  readonly formatVersion: 1;
  readonly database: string;
  readonly serverVersion: number;
  /** Hash of the live catalog state the plan was computed from; apply refuses a stale plan. */
  readonly fingerprint: string;
  /** Tables the plan covers (all declared tables, or the ones asked for). */
  readonly scope: readonly string[];
  /** The managed schemas the plan read; with `scope` and `includesGlobal`, what `fingerprint` covers. */
  readonly schemas?: readonly string[];
  /** Whether schema-wide objects (extensions, roles, functions) were planned and fingerprinted. */
  readonly includesGlobal?: boolean;
  readonly steps: readonly PlanStep[];
  readonly blocked: readonly BlockedConstraint[];
  readonly kept: readonly KeptObject[];
  readonly drift: readonly DriftItem[];
  /** What the plan could not see, e.g. tenant rows hidden from a role without BYPASSRLS. */
  readonly warnings?: readonly string[];
}

export interface StepResult {
  readonly id: string;
  readonly status: "applied" | "skipped-blocked" | "failed" | "not-run";
  readonly attempts: number;
  readonly durationMs: number;
  readonly error?: string;
}

export interface ApplyResult {
  readonly steps: readonly StepResult[];
  readonly blocked: readonly BlockedConstraint[];
}
