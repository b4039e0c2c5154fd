import type { IndexDecl, IndexMethod, SqlExpr } from "./types";

/** `CREATE [UNIQUE] INDEX <name> ON <table> USING <method> (<columns>) [WHERE <predicate>]`. Immutable builder. */
export class IndexBuilder {
  constructor(private readonly state: IndexDecl) {}

  /** Key columns, in order (an index serves a foreign key or policy only if it leads with their columns). */
  on(...columns: string[]): IndexBuilder {
    return new IndexBuilder({ ...this.state, columns });
  }

  /** `USING <method>` (default btree); e.g. `gin` for `text[]` containment. */
  using(method: IndexMethod): IndexBuilder {
    return new IndexBuilder({ ...this.state, method });
  }

  /** `WHERE <predicate>`: a partial index. */
  where(predicate: SqlExpr): IndexBuilder {
    return new IndexBuilder({ ...this.state, where: predicate });
  }

  build(): IndexDecl {
    return this.state;
  }
}

export function index(name: string): IndexBuilder {
  return new IndexBuilder({ name, columns: [], method: "btree", unique: false });
}

export function uniqueIndex(name: string): IndexBuilder {
  return new IndexBuilder({ name, columns: [], method: "btree", unique: true });
}
