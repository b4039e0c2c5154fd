import type {
  CheckDecl, DataLossAllowance, ForeignKeyDecl, GrantDecl, IndexDecl, PolicyDecl, PrimaryKeyDecl, TableDecl,
  TenancyDecl, TriggerDecl, UniqueDecl,
} from "./types";
import type { ColumnBuilder } from "./columns";
import type { ForeignKeyBuilder } from "./constraints";
import type { IndexBuilder } from "./indexes";
import type { PolicyBuilder } from "./policies";
import type { TriggerBuilder } from "./triggers";
import { splitQualified } from "./names";

/** Builders and plain declarations are both accepted; builders are turned into plain data. */
type Of<Decl, Builder> = Decl | Builder;

function built<T>(x: T | { build(): T }): T {
  return typeof x === "object" && x !== null && "build" in x && typeof x.build === "function" ? x.build() : (x as T);
}

export interface TableConfig {
  readonly comment?: string;
  /** Marks a tenant table: RLS is forced by default and every policy keys on this column. */
  readonly tenancy?: TenancyDecl;
  /** Columns in table order (object keys keep insertion order). */
  readonly columns: Readonly<Record<string, ColumnBuilder>>;
  /** For composite keys; otherwise mark one column `.primaryKey()`. */
  readonly primaryKey?: PrimaryKeyDecl;
  readonly uniques?: readonly UniqueDecl[];
  readonly foreignKeys?: readonly Of<ForeignKeyDecl, ForeignKeyBuilder>[];
  readonly checks?: readonly CheckDecl[];
  readonly indexes?: readonly Of<IndexDecl, IndexBuilder>[];
  /** Default: enabled, and forced on tenant tables. */
  readonly rls?: { readonly enabled: boolean; readonly forced: boolean };
  readonly policies?: readonly Of<PolicyDecl, PolicyBuilder>[];
  readonly grants?: readonly GrantDecl[];
  readonly triggers?: readonly Of<TriggerDecl, TriggerBuilder>[];
  readonly allowDataLoss?: DataLossAllowance;
}

/**
 * `CREATE TABLE schema.name (...)` with everything that hangs off it. Builds plain
 * data only; problems (no primary key, unknown columns, ...) are reported together
 * by `validateModel`, so a table without a primary key gets an empty one here.
 */
export function table(qualifiedName: string, config: TableConfig): TableDecl {
  const { schema, name } = splitQualified(qualifiedName);
  const entries = Object.entries(config.columns);
  const columns = entries.map(([col, b]) => b.build(col));

  const pkColumns = entries.filter(([, b]) => b.isPrimaryKey).map(([col]) => col);
  // Several `.primaryKey()` columns are kept as one composite key in column order;
  // validation flags a clash with an explicit `primaryKey` instead of guessing.
  const primaryKey: PrimaryKeyDecl = config.primaryKey ?? { name: `${name}_pkey`, columns: pkColumns };
  const pkClash = config.primaryKey !== undefined && pkColumns.length > 0;

  const columnUniques: UniqueDecl[] = entries.filter(([, b]) => b.isUnique).map(([col]) => ({ name: `${name}_${col}_key`, columns: [col] }));

  const decl: TableDecl = {
    schema,
    name,
    ...(config.comment !== undefined ? { comment: config.comment } : {}),
    ...(config.tenancy !== undefined ? { tenancy: config.tenancy } : {}),
    columns,
    primaryKey: pkClash ? { name: primaryKey.name, columns: [] } : primaryKey,
    uniques: [...columnUniques, ...(config.uniques ?? [])],
    foreignKeys: (config.foreignKeys ?? []).map((fk) => built<ForeignKeyDecl>(fk)),
    checks: config.checks ?? [],
    indexes: (config.indexes ?? []).map((ix) => built<IndexDecl>(ix)),
    rls: config.rls ?? { enabled: true, forced: config.tenancy !== undefined },
    policies: (config.policies ?? []).map((p) => built<PolicyDecl>(p)),
    grants: config.grants ?? [],
    triggers: (config.triggers ?? []).map((t) => built<TriggerDecl>(t)),
    ...(config.allowDataLoss !== undefined ? { allowDataLoss: config.allowDataLoss } : {}),
  };
  return decl;
}
