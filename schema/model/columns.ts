import type { ColumnDecl, SqlExpr } from "./types";
import { sql } from "./sql";

interface ColumnState {
  readonly type: string;
  readonly notNull: boolean;
  readonly default?: SqlExpr;
  readonly primaryKey: boolean;
  readonly unique: boolean;
}

/**
 * A column under construction. Immutable: every modifier returns a new builder, so a
 * shared builder (e.g. a common `created_at`) can be reused across tables safely.
 * Types are spelled the way `format_type()` prints them, so the engine can compare
 * them with the catalog without a translation table.
 */
export class ColumnBuilder {
  constructor(private readonly state: ColumnState) {}

  /** Adds `NOT NULL`. */
  notNull(): ColumnBuilder {
    return new ColumnBuilder({ ...this.state, notNull: true });
  }

  /** Adds `DEFAULT <expr>`. */
  default(expr: SqlExpr): ColumnBuilder {
    return new ColumnBuilder({ ...this.state, default: expr });
  }

  /** `DEFAULT gen_random_uuid()` (built into PostgreSQL 13+). */
  defaultRandom(): ColumnBuilder {
    return this.default(sql`gen_random_uuid()`);
  }

  /** `DEFAULT now()`. */
  defaultNow(): ColumnBuilder {
    return this.default(sql`now()`);
  }

  /** Makes this column the table's primary key `<table>_pkey` (and NOT NULL, as PostgreSQL does). */
  primaryKey(): ColumnBuilder {
    return new ColumnBuilder({ ...this.state, primaryKey: true, notNull: true });
  }

  /** Adds a single-column `UNIQUE` constraint named `<table>_<column>_key` (PostgreSQL's own default name). */
  unique(): ColumnBuilder {
    return new ColumnBuilder({ ...this.state, unique: true });
  }

  /** The array of this type: `text().array()` is `text[]`. */
  array(): ColumnBuilder {
    return new ColumnBuilder({ ...this.state, type: `${this.state.type}[]` });
  }

  get isPrimaryKey(): boolean {
    return this.state.primaryKey;
  }

  get isUnique(): boolean {
    return this.state.unique;
  }

  build(name: string): ColumnDecl {
    const { type, notNull } = this.state;
    return this.state.default ? { name, type, notNull, default: this.state.default } : { name, type, notNull };
  }
}

/** Any type, spelled as `format_type()` prints it (e.g. `inet`). Prefer the named helpers below. */
export function column(type: string): ColumnBuilder {
  return new ColumnBuilder({ type, notNull: false, primaryKey: false, unique: false });
}

export const uuid = (): ColumnBuilder => column("uuid");
export const text = (): ColumnBuilder => column("text");
export const varchar = (length: number): ColumnBuilder => column(`character varying(${length})`);
export const integer = (): ColumnBuilder => column("integer");
export const bigint = (): ColumnBuilder => column("bigint");
export const smallint = (): ColumnBuilder => column("smallint");
export const numeric = (precision: number, scale = 0): ColumnBuilder => column(`numeric(${precision},${scale})`);
export const boolean = (): ColumnBuilder => column("boolean");
export const jsonb = (): ColumnBuilder => column("jsonb");
export const date = (): ColumnBuilder => column("date");
/**
 * `timestamp with time zone`. There is deliberately no `timestamp()` helper: the
 * platform stores instants, and `timestamp without time zone` silently depends on
 * the session's time zone (validation rejects it).
 */
export const timestamptz = (): ColumnBuilder => column("timestamp with time zone");
