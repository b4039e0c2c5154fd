/**
 * The live database as the engine reads it from the system catalogs. Expressions
 * are `pg_get_expr` output read with `search_path` set to the managed schemas, so
 * they compare with declarations normalised the same way (see normalize.ts).
 */

/** One privilege held by a role (`aclexplode`); grantee "PUBLIC" for the pseudo-role. */
export interface CatalogPrivilege {
  readonly grantee: string;
  readonly privilege: string;
  readonly grantable: boolean;
}

export interface CatalogColumn {
  readonly name: string;
  readonly num: number;
  /** `format_type(atttypid, atttypmod)` */
  readonly type: string;
  readonly notNull: boolean;
  readonly default?: string;
  /** Column-level privileges (`attacl`). */
  readonly privileges: readonly CatalogPrivilege[];
}

export interface CatalogForeignKey {
  readonly refSchema: string;
  readonly refTable: string;
  readonly refColumns: readonly string[];
  readonly onDelete: string;
  readonly onUpdate: string;
  /** `ON DELETE SET NULL (cols)` (PostgreSQL 15+); empty when all key columns are nulled. */
  readonly setColumns: readonly string[];
}

export interface CatalogConstraint {
  readonly name: string;
  /** p primary key, u unique, f foreign key, c check, x exclusion */
  readonly type: "p" | "u" | "f" | "c" | "x";
  readonly columns: readonly string[];
  /** `pg_get_constraintdef`, for people (drift): absent where a plan showed no drift on the table (`readDefinitions`). */
  readonly definition?: string;
  readonly validated: boolean;
  readonly check?: string;
  readonly foreignKey?: CatalogForeignKey;
  /** The index that backs a primary key, unique or exclusion constraint. */
  readonly index?: string;
}

export interface CatalogIndex {
  readonly name: string;
  readonly valid: boolean;
  readonly method: string;
  /** Key columns by name; expression keys as `pg_get_indexdef` prints them. */
  readonly columns: readonly string[];
  readonly unique: boolean;
  readonly primary: boolean;
  readonly predicate?: string;
  /** The constraint this index backs, if any. */
  readonly constraint?: string;
  /** `pg_get_indexdef`, for people (drift): absent where a plan showed no drift on the table (`readDefinitions`). */
  readonly definition?: string;
}

export interface CatalogPolicy {
  readonly name: string;
  readonly command: "all" | "select" | "insert" | "update" | "delete";
  readonly permissive: boolean;
  /** Role names; "public" for a policy without a role list. */
  readonly roles: readonly string[];
  readonly using?: string;
  readonly withCheck?: string;
}

export interface CatalogTrigger {
  readonly name: string;
  readonly timing: "before" | "after" | "instead of";
  readonly events: readonly string[];
  readonly forEach: "row" | "statement";
  readonly functionSchema: string;
  readonly functionName: string;
  readonly enabled: boolean;
  readonly definition: string;
}

export interface CatalogTable {
  readonly schema: string;
  readonly name: string;
  readonly owner: string;
  readonly comment?: string;
  readonly rlsEnabled: boolean;
  readonly rlsForced: boolean;
  /** `reltuples`; -1 when never analysed. An estimate, never used for safety decisions. */
  readonly estimatedRows: number;
  readonly privileges: readonly CatalogPrivilege[];
  readonly columns: readonly CatalogColumn[];
  readonly constraints: readonly CatalogConstraint[];
  readonly indexes: readonly CatalogIndex[];
  readonly policies: readonly CatalogPolicy[];
  readonly triggers: readonly CatalogTrigger[];
  /**
   * sha256 (base64) of the table's document as the catalog read returned it: every
   * fact above but `estimatedRows` and definitions. The fingerprint's part for this table.
   */
  readonly digest: string;
}

export interface CatalogFunction {
  readonly schema: string;
  readonly name: string;
  /** `pg_get_function_identity_arguments`, e.g. `p_customer_id uuid`. */
  readonly identityArgs: readonly { readonly name: string; readonly type: string }[];
  /** The argument types only, for DROP/GRANT: `uuid, text`. */
  readonly argTypes: string;
  readonly returns: string;
  readonly language: string;
  readonly volatility: "immutable" | "stable" | "volatile";
  readonly securityDefiner: boolean;
  /** `proconfig` entries, e.g. `search_path=""`. */
  readonly config: readonly string[];
  readonly body: string;
  readonly owner: string;
  readonly privileges: readonly CatalogPrivilege[];
}

export interface CatalogRole {
  readonly name: string;
  readonly login: boolean;
  readonly bypassRls: boolean;
  readonly superuser: boolean;
}

export interface Catalog {
  readonly database: string;
  readonly serverVersion: number;
  readonly currentUser: string;
  /** The managed schemas asked for that exist. */
  readonly schemas: readonly string[];
  readonly extensions: readonly string[];
  readonly roles: readonly CatalogRole[];
  readonly tables: readonly CatalogTable[];
  readonly functions: readonly CatalogFunction[];
}
