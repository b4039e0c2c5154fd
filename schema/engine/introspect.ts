/**
 * Reads the live catalog of the managed schemas in a fixed number of queries (one per
 * object kind, whatever the number of tables), inside one read-only snapshot, sent
 * together as one round trip.
 *
 * `search_path` is set to the managed schemas while reading, because `pg_get_expr`
 * qualifies a name only when it is not visible on the path; normalize.ts reads the
 * declared expressions back under the equivalent path, so both print alike.
 */
import { createHash } from "node:crypto";
import type { Client, QueryResult, QueryResultRow } from "pg";
import type {
  Catalog,
  CatalogColumn,
  CatalogConstraint,
  CatalogFunction,
  CatalogIndex,
  CatalogPolicy,
  CatalogPrivilege,
  CatalogTable,
  CatalogTrigger,
} from "./catalog-types";
import { withClient, type Db } from "./connection";
import { quoteLiteral, searchPathValue, tableKey } from "./sql";
import { absentPayload, fingerprintPayload, tablePayload } from "./fingerprint-payload";
import * as Q from "./introspect-queries";

type Grouped<T> = Map<string, T[]>;

function group<R extends { schema: string; table: string }, T>(rows: readonly R[], map: (r: R) => T): Grouped<T> {
  const out: Grouped<T> = new Map();
  for (const r of rows) {
    const k = tableKey(r.schema, r.table);
    const list = out.get(k);
    if (list) list.push(map(r));
    else out.set(k, [map(r)]);
  }
  return out;
}

const FK_ACTIONS: Record<string, string> = { a: "no action", r: "restrict", c: "cascade", n: "set null", d: "set default" };
const POLICY_COMMANDS: Record<string, CatalogPolicy["command"]> = { "*": "all", r: "select", a: "insert", w: "update", d: "delete" };
const VOLATILITY: Record<string, CatalogFunction["volatility"]> = { i: "immutable", s: "stable", v: "volatile" };

function triggerShape(tgtype: number): Pick<CatalogTrigger, "timing" | "events" | "forEach"> {
  const events: string[] = [];
  if (tgtype & 4) events.push("insert");
  if (tgtype & 16) events.push("update");
  if (tgtype & 8) events.push("delete");
  if (tgtype & 32) events.push("truncate");
  return {
    forEach: tgtype & 1 ? "row" : "statement",
    timing: tgtype & 64 ? "instead of" : tgtype & 2 ? "before" : "after",
    events,
  };
}

// The same order as `localeCompare` (default locale) always gave, which the grant diff's
// step order follows; one collator per introspection instead of a lookup per comparison,
// and keys built once. (Not a module-level constant: Pulumi cannot serialize a native
// Intl object captured by the providers' closures.)
function privilegeSorter(): (p: readonly CatalogPrivilege[]) => CatalogPrivilege[] {
  const collator = new Intl.Collator();
  return (p) => {
    if (p.length < 2) return [...p];
    const keyed = p.map((x) => ({ x, k: x.grantee + x.privilege }));
    keyed.sort((a, b) => collator.compare(a.k, b.k));
    return keyed.map((e) => e.x);
  };
}

/** Reads the catalog using an already connected client (see `introspect`). */
export async function introspectWith(client: Client, schemas: readonly string[]): Promise<Catalog> {
  // One multi-statement simple query: one round trip for the whole snapshot, and the
  // server computes each result while the client is still parsing the previous one.
  // The simple protocol takes no parameters, so the schemas go in as a quoted literal.
  const s = `array[${schemas.map(quoteLiteral).join(", ")}]::text[]`;
  const statements = [
    "begin isolation level repeatable read read only",
    `set local search_path = ${searchPathValue(schemas)}`,
    Q.INFO,
    Q.SCHEMAS(s),
    Q.TABLES(s),
    Q.COLUMNS(s),
    Q.constraints(s),
    Q.INDEXES(s),
    Q.POLICIES(s),
    Q.TRIGGERS(s),
    Q.FUNCTIONS(s),
    Q.EXTENSIONS,
    Q.ROLES,
    "commit",
  ];
  try {
    const results = (await client.query(statements.join(";\n"))) as unknown as QueryResult[];
    if (!Array.isArray(results) || results.length !== statements.length) throw new Error(`introspection returned ${Array.isArray(results) ? results.length : 1} results, expected ${statements.length}`);
    const sortPrivileges = privilegeSorter();
    const rows = <R extends QueryResultRow>(i: number): R[] => (results[i] as QueryResult<R>).rows;
    const info = rows<Q.InfoRow>(2)[0];
    const version = Number(info.version);
    const present = rows<{ nspname: string }>(3);
    const tables = rows<Q.TableRow>(4);
    const columns = rows<Q.ColumnRow>(5);
    const constraints = rows<Q.ConstraintRow>(6);
    const indexes = rows<Q.IndexRow>(7);
    const policies = rows<Q.PolicyRow>(8);
    const triggers = rows<Q.TriggerRow>(9);
    const functions = rows<Q.FunctionRow>(10);
    const extensions = rows<{ extname: string }>(11);
    const roles = rows<Q.RoleRow>(12);

    const cols = group(columns, (r): CatalogColumn => ({
      name: r.name,
      num: r.num,
      type: r.type,
      notNull: r.not_null,
      ...(r.default_expr !== null ? { default: r.default_expr } : {}),
      privileges: sortPrivileges(r.privileges),
    }));
    const cons = group(constraints, (r): CatalogConstraint => ({
      name: r.name,
      type: r.type,
      columns: r.columns,
      definition: r.definition,
      validated: r.validated,
      ...(r.check_expr !== null ? { check: r.check_expr } : {}),
      ...(r.type === "f" && r.ref_schema !== null && r.ref_table !== null
        ? {
            foreignKey: {
              refSchema: r.ref_schema,
              refTable: r.ref_table,
              refColumns: r.ref_columns ?? [],
              onDelete: FK_ACTIONS[r.del_action] ?? r.del_action,
              onUpdate: FK_ACTIONS[r.upd_action] ?? r.upd_action,
              setColumns: r.set_columns ?? [],
            },
          }
        : {}),
      ...(r.index_name !== null ? { index: r.index_name } : {}),
    }));
    const idx = group(indexes, (r): CatalogIndex => ({
      name: r.name,
      valid: r.valid,
      method: r.method,
      columns: r.columns,
      unique: r.is_unique,
      primary: r.is_primary,
      ...(r.predicate !== null ? { predicate: r.predicate } : {}),
      ...(r.constraint_name !== null ? { constraint: r.constraint_name } : {}),
      definition: r.definition,
    }));
    const pols = group(policies, (r): CatalogPolicy => ({
      name: r.name,
      command: POLICY_COMMANDS[r.cmd] ?? "all",
      permissive: r.permissive,
      roles: r.roles,
      ...(r.using_expr !== null ? { using: r.using_expr } : {}),
      ...(r.check_expr !== null ? { withCheck: r.check_expr } : {}),
    }));
    const trgs = group(triggers, (r): CatalogTrigger => ({
      name: r.name,
      ...triggerShape(r.tgtype),
      functionSchema: r.function_schema,
      functionName: r.function_name,
      enabled: r.enabled !== "D",
      definition: r.definition,
    }));

    const catalogTables: CatalogTable[] = tables.map((t) => {
      const k = tableKey(t.schema, t.table);
      return {
        schema: t.schema,
        name: t.table,
        owner: t.owner,
        ...(t.comment !== null ? { comment: t.comment } : {}),
        rlsEnabled: t.rls_enabled,
        rlsForced: t.rls_forced,
        estimatedRows: Number(t.reltuples),
        privileges: sortPrivileges(t.privileges),
        columns: cols.get(k) ?? [],
        constraints: cons.get(k) ?? [],
        indexes: idx.get(k) ?? [],
        policies: pols.get(k) ?? [],
        triggers: trgs.get(k) ?? [],
      };
    });
    const catalogFunctions: CatalogFunction[] = functions.map((f) => ({
      schema: f.schema,
      name: f.name,
      identityArgs: f.arg_types.map((type, i) => ({ name: f.arg_names[i] ?? "", type })),
      argTypes: f.arg_types.join(", "),
      returns: f.returns,
      language: f.language,
      volatility: VOLATILITY[f.volatility] ?? "volatile",
      securityDefiner: f.security_definer,
      config: f.config,
      body: f.body,
      owner: f.owner,
      privileges: sortPrivileges(f.privileges),
    }));
    return {
      database: info.database,
      serverVersion: version,
      currentUser: info.current_user,
      schemas: present.map((r) => r.nspname),
      extensions: extensions.map((e) => e.extname).sort(),
      roles: roles.map((r) => ({ name: r.rolname, login: r.rolcanlogin, bypassRls: r.rolbypassrls, superuser: r.rolsuper })),
      tables: catalogTables,
      functions: catalogFunctions,
    };
  } catch (e) {
    await client.query("rollback").catch(() => undefined);
    throw e;
  }
}

/** The live catalog of `schemas`, read in a constant number of queries. */
export async function introspect(db: Db | Client, schemas: readonly string[]): Promise<Catalog> {
  return withClient(db, (c) => introspectWith(c, schemas));
}

/** JSON with object keys sorted, so equal values always serialise alike. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export interface FingerprintScope {
  /** Qualified table names; undefined = every table of the catalog. */
  readonly tables?: readonly string[];
  /** Whether schema-wide objects (functions, extensions) count. Default true. */
  readonly global?: boolean;
}

/**
 * A stable hash of everything a plan depends on: the tables in scope (present or
 * absent), and the managed functions and extensions. Row estimates are left out, so
 * traffic does not make a plan stale; a hand change to any object does.
 */
export function catalogFingerprint(catalog: Catalog, scope: FingerprintScope | readonly string[] = {}): string {
  const s: FingerprintScope = Array.isArray(scope) ? { tables: scope as readonly string[] } : (scope as FingerprintScope);
  const byKey = new Map(catalog.tables.map((t) => [tableKey(t.schema, t.name), t]));
  const keys = s.tables ? [...s.tables].sort() : [...byKey.keys()].sort();
  const tables = keys.map((k) => {
    const t = byKey.get(k);
    return t ? tablePayload(k, t) : absentPayload(k);
  });
  const payload = fingerprintPayload(catalog, tables, s.global ?? true);
  return createHash("sha256").update(payload).digest("hex");
}
