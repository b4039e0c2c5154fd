/**
 * The declared database, as plain data. Everything else is derived from values of
 * these types: the SQL plan, the Pulumi resources, the rendered schema file, the
 * lint checks and the isolation suite. Declarations are built with the factories in
 * this folder (`table`, `policy`, ...), which validate them; the engine only reads them.
 *
 * Names are unquoted PostgreSQL identifiers (lower case, at most 63 bytes). SQL
 * expressions (defaults, checks, policy predicates, index predicates) are written
 * as the SQL they stand for; the engine compares them with the live catalog through
 * PostgreSQL itself, so spelling does not matter, meaning does.
 */

/** A raw SQL expression (a default, a CHECK, a policy predicate). */
export interface SqlExpr {
  readonly sql: string;
}

export interface ColumnDecl {
  readonly name: string;
  /** The type as `format_type()` prints it, e.g. `uuid`, `character varying(255)`, `timestamp with time zone`, `text[]`. */
  readonly type: string;
  readonly notNull: boolean;
  readonly default?: SqlExpr;
}

export type ReferentialAction = "no action" | "restrict" | "cascade" | "set null" | "set default";

export interface PrimaryKeyDecl {
  readonly name: string;
  readonly columns: readonly string[];
}

export interface UniqueDecl {
  readonly name: string;
  readonly columns: readonly string[];
}

export interface ForeignKeyDecl {
  readonly name: string;
  readonly columns: readonly string[];
  readonly references: { readonly schema: string; readonly table: string; readonly columns: readonly string[] };
  readonly onDelete: ReferentialAction;
  /** `ON DELETE SET NULL (col, ...)` (PostgreSQL 15+): only these columns are nulled. */
  readonly onDeleteSetColumns?: readonly string[];
}

export interface CheckDecl {
  readonly name: string;
  readonly expression: SqlExpr;
}

export type IndexMethod = "btree" | "gin" | "gist" | "hash" | "brin";

export interface IndexDecl {
  readonly name: string;
  /** Column names, in key order. */
  readonly columns: readonly string[];
  readonly method: IndexMethod;
  readonly unique: boolean;
  /** Partial index predicate. */
  readonly where?: SqlExpr;
}

export type PolicyCommand = "all" | "select" | "insert" | "update" | "delete";

export interface PolicyDecl {
  readonly name: string;
  readonly command: PolicyCommand;
  /** Roles the policy applies to; never empty (a policy without roles applies to PUBLIC). */
  readonly roles: readonly string[];
  readonly permissive: boolean;
  readonly using?: SqlExpr;
  readonly withCheck?: SqlExpr;
}

export type TablePrivilege = "select" | "insert" | "update" | "delete" | "truncate" | "references" | "trigger";

/** Privileges a role holds on a table; with `columns`, a column-level grant of those privileges. */
export interface GrantDecl {
  readonly role: string;
  readonly privileges: readonly TablePrivilege[];
  readonly columns?: readonly string[];
}

export type TriggerEvent = "insert" | "update" | "delete" | "truncate";

export interface TriggerDecl {
  readonly name: string;
  readonly timing: "before" | "after";
  readonly events: readonly TriggerEvent[];
  readonly forEach: "row" | "statement";
  readonly function: { readonly schema: string; readonly name: string };
}

/** How a table's rows belong to a customer. */
export interface TenancyDecl {
  /** The column holding the owning customer's id (`customer_id`, or `id` for `customers`). */
  readonly column: string;
}

/** Changes that lose data, allowed by name in the declaration (nothing is allowed by default). */
export interface DataLossAllowance {
  /** Columns not declared here that may be dropped even when they hold values. */
  readonly dropColumns?: readonly string[];
}

export interface TableDecl {
  readonly schema: string;
  readonly name: string;
  readonly comment?: string;
  /** Present on tenant tables: RLS is forced and policies key on this column. */
  readonly tenancy?: TenancyDecl;
  readonly columns: readonly ColumnDecl[];
  readonly primaryKey: PrimaryKeyDecl;
  readonly uniques: readonly UniqueDecl[];
  readonly foreignKeys: readonly ForeignKeyDecl[];
  readonly checks: readonly CheckDecl[];
  readonly indexes: readonly IndexDecl[];
  readonly rls: { readonly enabled: boolean; readonly forced: boolean };
  readonly policies: readonly PolicyDecl[];
  readonly grants: readonly GrantDecl[];
  readonly triggers: readonly TriggerDecl[];
  readonly allowDataLoss?: DataLossAllowance;
}

export type Volatility = "immutable" | "stable" | "volatile";

export interface FunctionDecl {
  readonly schema: string;
  readonly name: string;
  readonly args: readonly { readonly name: string; readonly type: string }[];
  /** Return type as `format_type()` prints it, or `trigger`. */
  readonly returns: string;
  readonly language: "sql" | "plpgsql";
  readonly volatility: Volatility;
  readonly securityDefiner: boolean;
  /** Every function pins its search_path (empty string = `''`, the safest). */
  readonly searchPath: string;
  readonly body: string;
  /** Roles granted EXECUTE. PUBLIC's default EXECUTE is always revoked. */
  readonly executableBy: readonly string[];
}

/**
 * A role the schema relies on. `existing` roles are referenced, never created or
 * changed where the platform provides them (Supabase's anon, authenticated,
 * service_role); on plain PostgreSQL the engine creates equivalents.
 */
export interface RoleDecl {
  readonly name: string;
  readonly origin: "platform" | "managed";
  readonly login: boolean;
  readonly bypassRls: boolean;
  /** Why the role exists and, for BYPASSRLS, why it must see every tenant. */
  readonly purpose: string;
}

/** An object that existed before and must be removed (e.g. a context-switching function). */
export interface RetiredObject {
  readonly kind: "function" | "policy" | "index";
  /** `schema.name(argtypes)` for functions, `schema.table.name` for policies, `schema.name` for indexes. */
  readonly identity: string;
  readonly reason: string;
}

export interface SchemaModel {
  /** The schemas the model manages (tables, functions); `public` for this platform. */
  readonly schemas: readonly string[];
  readonly extensions: readonly string[];
  readonly roles: readonly RoleDecl[];
  readonly functions: readonly FunctionDecl[];
  readonly tables: readonly TableDecl[];
  readonly retired: readonly RetiredObject[];
}
