import type { CheckDecl, ForeignKeyDecl, PrimaryKeyDecl, ReferentialAction, SqlExpr, UniqueDecl } from "./types";
import { splitQualified } from "./names";

/** `CONSTRAINT <name> PRIMARY KEY (<columns>)`, for composite keys; single-column keys use `.primaryKey()` on the column. */
export function primaryKey(name: string): { on(...columns: string[]): PrimaryKeyDecl } {
  return { on: (...columns) => ({ name, columns }) };
}

/** `CONSTRAINT <name> UNIQUE (<columns>)`. */
export function unique(name: string): { on(...columns: string[]): UniqueDecl } {
  return { on: (...columns) => ({ name, columns }) };
}

/** `CONSTRAINT <name> CHECK (<expression>)`. */
export function check(name: string, expression: SqlExpr): CheckDecl {
  return { name, expression };
}

interface ForeignKeyState {
  readonly name: string;
  readonly columns: readonly string[];
  readonly references?: ForeignKeyDecl["references"];
  readonly onDelete: ReferentialAction;
  readonly onDeleteSetColumns?: readonly string[];
}

/**
 * `CONSTRAINT <name> FOREIGN KEY (<columns>) REFERENCES <table> (<columns>) ON DELETE <action>`.
 * Immutable builder; `table()` calls `build()`. A key built without `.references()`
 * keeps an empty target, which validation reports by name.
 */
export class ForeignKeyBuilder {
  constructor(private readonly state: ForeignKeyState) {}

  columns(...columns: string[]): ForeignKeyBuilder {
    return new ForeignKeyBuilder({ ...this.state, columns });
  }

  /** `REFERENCES schema.table (columns)`; `table` may omit `public.`. */
  references(table: string, ...columns: string[]): ForeignKeyBuilder {
    const { schema, name } = splitQualified(table);
    return new ForeignKeyBuilder({ ...this.state, references: { schema, table: name, columns } });
  }

  /**
   * `ON DELETE <action>`; with `setColumns`, `ON DELETE SET NULL (cols)` (PostgreSQL 15+):
   * on a composite same-tenant key only the reference is nulled, never `customer_id`.
   */
  onDelete(action: ReferentialAction, setColumns?: readonly string[]): ForeignKeyBuilder {
    const next: ForeignKeyState = { ...this.state, onDelete: action };
    if (setColumns === undefined) {
      const { onDeleteSetColumns: _dropped, ...rest } = next;
      return new ForeignKeyBuilder(rest);
    }
    return new ForeignKeyBuilder({ ...next, onDeleteSetColumns: setColumns });
  }

  build(): ForeignKeyDecl {
    const s = this.state;
    const base: ForeignKeyDecl = {
      name: s.name,
      columns: s.columns,
      references: s.references ?? { schema: "", table: "", columns: [] },
      onDelete: s.onDelete,
    };
    return s.onDeleteSetColumns ? { ...base, onDeleteSetColumns: s.onDeleteSetColumns } : base;
  }
}

export function foreignKey(name: string): ForeignKeyBuilder {
  return new ForeignKeyBuilder({ name, columns: [], onDelete: "no action" });
}
