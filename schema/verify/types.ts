/**
 * Shapes shared by the linter and the isolation suite. Both return findings so the
 * CLI, the Pulumi components and the tests can print, count and filter them alike.
 */

export type FindingLevel = "error" | "warn" | "info";

export interface Finding {
  /** Rule id: splinter's name where one exists (`auth_rls_initplan`), else the project's own. */
  readonly check: string;
  readonly level: FindingLevel;
  /** What is wrong: `public.tasks`, `public.tasks.tasks_select` (a policy), `public.f(uuid)`. */
  readonly object: string;
  readonly message: string;
  /** How to fix it, when the rule can say. */
  readonly remediation?: string;
}

export interface LintOptions {
  /** Schemas to lint (the exposed API schemas); default: the model's `schemas`. */
  readonly schemas?: readonly string[];
}

/** Who runs an attempt: two signed-in customers, or the anonymous API role. */
export type Actor = "A" | "B" | "anon";

export type AttemptCommand = "select" | "insert" | "update" | "delete" | "execute";

/**
 * What happened when the statement ran:
 * - `allowed`: it ran and touched/saw the rows it aimed at;
 * - `denied`: refused for lack of a privilege (SQLSTATE 42501, "permission denied ...");
 * - `rejected`: a row-level security policy refused the new row (42501, "new row violates row-level security policy");
 * - `no_rows`: it ran but saw or touched none of the rows it aimed at (RLS filtered them);
 * - `constraint`: an integrity constraint stopped it (23xxx: a foreign key, unique, check);
 * - `error`: anything else (the suite could not tell).
 */
export type Outcome = "allowed" | "denied" | "rejected" | "no_rows" | "constraint" | "error";

/**
 * What must happen:
 * - `allowed`: a legitimate action the model grants;
 * - `denied`: the role holds no privilege for it in the model, so PostgreSQL must refuse it outright;
 * - `blocked`: it must not take effect, by privilege or by policy (denied, rejected, no rows) or,
 *   for cross-tenant references, by a same-tenant foreign key (constraint).
 */
export type Expectation = "allowed" | "denied" | "blocked";

export interface Attempt {
  readonly actor: Actor;
  /** `schema.table`, or `schema.function(argtypes)` for `execute`. */
  readonly object: string;
  readonly command: AttemptCommand;
  /** Machine name of the attempt: `read_other`, `insert_other`, `move`, `reference:<fk>`, ... */
  readonly kind: string;
  /** One sentence for people: "A updates its own tasks row into B's". */
  readonly description: string;
  readonly sql: string;
  readonly expected: Expectation;
  readonly actual: Outcome;
  /** The error message or the row count behind `actual`. */
  readonly detail: string;
  readonly ok: boolean;
}

export interface IsolationReport {
  /** Breaches (error), legitimate actions that failed (error), attempts the suite could not decide (warn). */
  readonly findings: readonly Finding[];
  readonly attempts: readonly Attempt[];
  /** Counts for a one-line summary. */
  readonly summary: { readonly attempts: number; readonly passed: number; readonly breaches: number; readonly failedLegitimate: number; readonly inconclusive: number };
}

/** An action on a customer's own row that must fail whatever the model says (e.g. reading api_keys.key_hash). */
export interface ForbiddenAction {
  /** `schema.table` */
  readonly table: string;
  readonly command: "select" | "update" | "delete";
  readonly column?: string;
  readonly why: string;
}

/** Column values as SQL literals (cast to the column's type), e.g. `{ status: "experimental" }`. */
export type RowOverride = Readonly<Record<string, string>>;

export interface PublicCatalogDecl {
  /** `schema.table` readable by anon. */
  readonly table: string;
  /** The rows anon may read, as a SQL predicate over the table's columns. */
  readonly visible: string;
  /** Column values that make a fixture row visible / hidden to anon. */
  readonly visibleRow: RowOverride;
  readonly hiddenRow: RowOverride;
}

export interface IsolationOptions {
  /**
   * The one table anon may read, and which of its rows. Default: the platform's
   * marketplace, `public.virtual_employees` with status stable or beta (when declared).
   * `null`: anon may read nothing.
   */
  readonly publicCatalog?: PublicCatalogDecl | null;
  /** Per-table fixture values (`schema.table` -> column -> literal) where generation cannot work. */
  readonly overrides?: Readonly<Record<string, RowOverride>>;
  /**
   * Statement timeout per attempt; keeps the suite from hanging on a lock held by
   * the application when run against a live database. Default 5000 ms.
   */
  readonly statementTimeoutMs?: number;
}
