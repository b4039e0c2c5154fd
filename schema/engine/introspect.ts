/**
 * Reads the live catalog of the managed schemas in a fixed number of queries (one per
 * object kind, whatever the number of tables), inside one read-only snapshot.
 *
 * `search_path` is set to the managed schemas while reading, because `pg_get_expr`
 * qualifies a name only when it is not visible on the path; normalize.ts reads the
 * declared expressions back under the equivalent path, so both print alike.
 */
import { createHash } from "node:crypto";
import type { Client } from "pg";
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
import { searchPathValue, tableKey } from "./sql";
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

function sortPrivileges(p: readonly CatalogPrivilege[]): CatalogPrivilege[] {
  return [...p].sort((a, b) => (a.grantee + a.privilege).localeCompare(b.grantee + b.privilege));
}

/** Reads the catalog using an already connected client (see `introspect`). */
export async function introspectWith(client: Client, schemas: readonly string[]): Promise<Catalog> {
  await client.query("begin isolation level repeatable read read only");
  try {
    await client.query(`set local search_path = ${searchPathValue(schemas)}`);
    const args = [schemas as string[]];
    const info = (await client.query<Q.InfoRow>(Q.INFO)).rows[0];
    const version = Number(info.version);
    const [present, tables, columns, constraints, indexes, policies, triggers, functions, extensions, roles] = [
      (await client.query<{ nspname: string }>(Q.SCHEMAS, args)).rows,
      (await client.query<Q.TableRow>(Q.TABLES, args)).rows,
      (await client.query<Q.ColumnRow>(Q.COLUMNS, args)).rows,
      (await client.query<Q.ConstraintRow>(Q.constraints(version), args)).rows,
      (await client.query<Q.IndexRow>(Q.INDEXES, args)).rows,
      (await client.query<Q.PolicyRow>(Q.POLICIES, args)).rows,
      (await client.query<Q.TriggerRow>(Q.TRIGGERS, args)).rows,
      (await client.query<Q.FunctionRow>(Q.FUNCTIONS, args)).rows,
      (await client.query<{ extname: string }>(Q.EXTENSIONS)).rows,
      (await client.query<Q.RoleRow>(Q.ROLES)).rows,
    ];
    await client.query("commit");

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
    if (!t) return { key: k, absent: true };
    const { estimatedRows: _ignored, ...rest } = t;
    void _ignored;
    return { key: k, ...rest };
  });
  const global = s.global ?? true;
  const payload = {
    tables,
    ...(global ? { functions: catalog.functions, extensions: catalog.extensions, schemas: catalog.schemas } : {}),
  };
  return createHash("sha256").update(stableStringify(payload)).digest("hex");
}
