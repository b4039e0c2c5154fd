/**
 * What a table's diff produces, gathered by the per-kind modules in this folder and
 * turned into ordered plan steps by plan.ts.
 *
 * Phases inside a table's transactional group (one transaction, lock taken first):
 *   0 disable RLS, drop undeclared policies and triggers (nothing left that reads a column about to change)
 *   1 renames and drops of superseded-by-name constraints and checks
 *   2 columns: add, type, default, nullability, drop
 *   3 constraints added (NOT VALID where rows exist), unique/primary keys attached to prebuilt indexes
 *   4 policies altered and created (before RLS is enabled, so no window denies everything)
 *   5 RLS enable and force
 *   6 grants and revokes
 *   7 triggers, comment
 */
import type { SchemaModel, TableDecl } from "../../model/types";
import type { CatalogTable } from "../catalog-types";
import type { NormalizedModel } from "../normalize";
import type { BlockedConstraint, DriftItem, KeptObject } from "../plan-types";
import { qualifiedName, quoteIdent, quoteLiteral } from "../sql";
import type { GroupChange, LooseStep } from "../steps";

/**
 * A live constraint's or index's definition as drift shows it. A plan reads
 * definitions only for the tables whose diff shows drift, then diffs those again
 * (plan.ts), so the placeholder never reaches a plan.
 */
export function shown(l: { readonly definition?: string }): string {
  return l.definition ?? "(definition not read)";
}

export const PHASE = { unhook: 0, rename: 1, columns: 2, constraints: 3, policies: 4, rls: 5, grants: 6, triggers: 7 } as const;

/** A constraint that needs VALIDATE once its rows comply; plan.ts probes the rows. */
export interface Validation {
  readonly constraint: string;
  readonly object: string;
  /** Lists offending rows' primary keys as text (column `row`), limit 100. */
  readonly violationsSql: string;
  /** Counts offending rows (column `n`). */
  readonly countSql: string;
  readonly validateSql: string;
  readonly reason: string;
  /** An existing NOT NULL to set once no row is NULL (validated in the group, not online). */
  readonly setNotNull?: { readonly sql: string };
}

/** Live facts the diff needs about rows (not about the catalog). */
export interface RowFacts {
  /** `schema.table.column` of undeclared columns that hold at least one value. */
  readonly nonEmptyColumns: ReadonlySet<string>;
  /** Tables (`schema.table`) that hold at least one row. */
  readonly nonEmptyTables: ReadonlySet<string>;
}

export interface DiffContext {
  readonly model: SchemaModel;
  readonly normalized: NormalizedModel;
  readonly rows: RowFacts;
  /** Consent keys the caller passed. */
  readonly allowDataLoss: ReadonlySet<string>;
  /** Roles whose grants the engine manages (the model's roles, grantees, PUBLIC), lower case for PUBLIC. */
  readonly managedRoles: ReadonlySet<string>;
  readonly currentUser: string;
  readonly serverVersion: number;
}

export class TableDiff {
  readonly key: string;
  readonly pre: LooseStep[] = [];
  readonly group: GroupChange[] = [];
  readonly validations: Validation[] = [];
  /** Steps after validation: drop superseded constraints (transactional), drop indexes (online). */
  readonly post: (LooseStep & { readonly dependsOnValid?: string; readonly keptReason?: string })[] = [];
  readonly drift: DriftItem[] = [];
  readonly kept: KeptObject[] = [];
  readonly blocked: BlockedConstraint[] = [];

  constructor(
    readonly decl: TableDecl,
    readonly live: CatalogTable | undefined,
    readonly ctx: DiffContext,
  ) {
    this.key = `${decl.schema}.${decl.name}`;
  }

  id(kind: string, name: string, action: string): string {
    return `${this.key}:${kind}:${name}:${action}`;
  }

  change(c: GroupChange): void {
    this.group.push(c);
  }

  driftItem(object: string, expected: string, actual: string, security: boolean): void {
    this.drift.push({ table: this.key, object, expected, actual, security });
  }

  keep(object: string, reason: string): void {
    this.kept.push({ table: this.key, object, reason });
  }
}

/** A precondition that holds back a step until constraint `name` is valid. */
export function whenValid(d: TableDiff, name: string): { sql: string; description: string } {
  return {
    sql: `select 'constraint ' || conname || ' is not valid yet' as row from pg_constraint where conrelid = ${quoteLiteral(qualifiedName(d.decl.schema, d.decl.name))}::regclass and conname = ${quoteLiteral(name)} and not convalidated`,
    description: `${name} is valid`,
  };
}

/** Primary key of the declared table as a text expression, for listing offending rows. */
export function rowKeyExpr(t: TableDecl, alias?: string): string {
  const q = (c: string): string => `${alias ? `${alias}.` : ""}${quoteIdent(c)}`;
  const cols = t.primaryKey.columns;
  return cols.length === 1 ? `${q(cols[0])}::text` : `row(${cols.map(q).join(", ")})::text`;
}
