/**
 * Reads the live catalog of the managed schemas in a fixed number of queries (tables
 * with everything on them as one document each, then functions, extensions and
 * roles, whatever the number of tables), inside one read-only snapshot, sent together
 * as one round trip.
 *
 * `search_path` is set to the managed schemas while reading, because `pg_get_expr`
 * qualifies a name only when it is not visible on the path; normalize.ts reads the
 * declared expressions back under the equivalent path, so both print alike.
 */
import { createHash } from "node:crypto";
import { types as pgTypes, type Client, type CustomTypesConfig, type QueryResult, type QueryResultRow } from "pg";
import { parseAcl } from "./acl";
import type { Catalog, CatalogColumn, CatalogConstraint, CatalogFunction, CatalogIndex, CatalogPolicy, CatalogPrivilege, CatalogTable } from "./catalog-types";
import { withClient, type Db } from "./connection";
import { qualifiedName, quoteLiteral, searchPathValue, tableKey } from "./sql";
import { absentPayload, fingerprintPayload, tablePayload } from "./fingerprint-payload";
import * as Q from "./introspect-queries";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** PostgreSQL's `json` type. */
const JSON_OID = 114;

const VOLATILITY: Record<string, CatalogFunction["volatility"]> = { i: "immutable", s: "stable", v: "volatile" };

type Sorter = (p: readonly CatalogPrivilege[]) => CatalogPrivilege[];

// The same order as `localeCompare` (default locale) always gave, which the grant diff's
// step order follows; one collator per introspection instead of a lookup per comparison,
// and, as most tables share an ACL, one sort per distinct list of keys. (Not a
// module-level constant: Pulumi cannot serialize a native Intl object captured by the
// providers' closures.)
function privilegeSorter(): Sorter {
  const collator = new Intl.Collator();
  const orders = new Map<string, readonly number[]>();
  return (p) => {
    if (p.length < 2) return [...p];
    const keys = p.map((x) => x.grantee + x.privilege);
    const signature = keys.join("\u0000");
    let order = orders.get(signature);
    if (!order) {
      order = keys.map((_, i) => i).sort((a, b) => collator.compare(keys[a], keys[b]));
      orders.set(signature, order);
    }
    return order.map((i) => p[i]);
  };
}

/**
 * A table document (introspect-queries.ts) as a CatalogTable: ACL texts read, key
 * column numbers named, absent facts left out instead of null, and its digest (the
 * hash of the text as sent). Objects are built with their keys in one fixed order.
 */
function tableFromDoc(text: string, sortPrivileges: Sorter): CatalogTable {
  const doc = JSON.parse(text) as Q.TableDoc;
  const where = `${doc.schema}.${doc.name}`;
  const names: string[] = [];
  for (const c of doc.columns) names[c.num] = c.name;
  const named = (keys: readonly number[] | null, what: string): string[] =>
    (keys ?? []).map((k) => {
      const n = names[k];
      if (n === undefined) throw new Error(`introspection: ${what} on ${where} names column number ${k}, which the table does not have`);
      return n;
    });

  const t: Partial<Mutable<CatalogTable>> = { schema: doc.schema, name: doc.name, owner: doc.owner };
  if (doc.comment !== null) t.comment = doc.comment;
  t.rlsEnabled = doc.rlsEnabled;
  t.rlsForced = doc.rlsForced;
  t.estimatedRows = -1; // set from the row's reltuples once the row is complete
  t.privileges = sortPrivileges(parseAcl(doc.privileges));
  t.columns = doc.columns.map((c): CatalogColumn => {
    const privileges = c.privileges ? sortPrivileges(parseAcl(c.privileges)) : [];
    return c.default !== null
      ? { name: c.name, num: c.num, type: c.type, notNull: c.notNull, default: c.default, privileges }
      : { name: c.name, num: c.num, type: c.type, notNull: c.notNull, privileges };
  });
  t.constraints = doc.constraints.map((k): CatalogConstraint => {
    const out: Partial<Mutable<CatalogConstraint>> = { name: k.name, type: k.type, columns: named(k.keys, `constraint ${k.name}`), validated: k.validated };
    if (k.check !== null) out.check = k.check;
    if (k.foreignKey !== null) out.foreignKey = k.foreignKey;
    if (k.index !== null) out.index = k.index;
    return out as CatalogConstraint;
  });
  t.indexes = doc.indexes.map((i): CatalogIndex => {
    // Expression keys (number 0) come as pg_get_indexdef prints them, in key order.
    let e = 0;
    const columns = i.keys.slice(0, i.keyCount).map((k) => (k === 0 ? (i.expressions?.[e++] ?? "") : named([k], `index ${i.name}`)[0]));
    const out: Partial<Mutable<CatalogIndex>> = { name: i.name, valid: i.valid, method: i.method, columns, unique: i.unique, primary: i.primary };
    if (i.predicate !== null) out.predicate = i.predicate;
    if (i.constraint !== null) out.constraint = i.constraint;
    return out as CatalogIndex;
  });
  t.policies = doc.policies.map((p): CatalogPolicy => {
    const out: Partial<Mutable<CatalogPolicy>> = { name: p.name, command: p.command, permissive: p.permissive, roles: p.roles };
    if (p.using !== null) out.using = p.using;
    if (p.withCheck !== null) out.withCheck = p.withCheck;
    return out as CatalogPolicy;
  });
  t.triggers = doc.triggers;
  t.digest = createHash("sha256").update(text).digest("base64");
  return t as CatalogTable;
}

/** Schema, then name, in code point order: what `order by nspname::text, relname::text` (collation "C") gives. */
function byCodePoints(a: CatalogTable, b: CatalogTable): number {
  return compareCodePoints(a.schema, b.schema) || compareCodePoints(a.name, b.name);
}

const SURROGATE = /[\ud800-\udfff]/;

function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 code unit order is code point order unless a surrogate pair is involved;
  // then Buffer.compare on UTF-8 bytes, which is code point order everywhere.
  if (SURROGATE.test(a) || SURROGATE.test(b)) return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
  return a < b ? -1 : 1;
}

/** Sets the definitions read by `Q.DEFINITIONS` on the catalog's constraints and indexes. */
function attachDefinitions(tables: readonly CatalogTable[], rows: readonly Q.DefinitionRow[]): void {
  const byKey = new Map(tables.map((t) => [tableKey(t.schema, t.name), t]));
  const byTable = new Map<string, Map<string, string>>();
  for (const r of rows) {
    const k = `${tableKey(r.schema, r.table)}\u0000${r.kind}`;
    let m = byTable.get(k);
    if (!m) byTable.set(k, (m = new Map()));
    m.set(r.name, r.definition);
  }
  for (const [key, t] of byKey) {
    const constraints = byTable.get(`${key}\u0000constraint`);
    const indexes = byTable.get(`${key}\u0000index`);
    for (const c of t.constraints) (c as Mutable<CatalogConstraint>).definition = constraints?.get(c.name);
    for (const i of t.indexes) (i as Mutable<CatalogIndex>).definition = indexes?.get(i.name);
  }
}

/**
 * Reads the definitions of the constraints and indexes of `tables` (catalog objects of
 * an earlier read, which get them set): a plan reads them only for the tables it shows
 * drift on. A table dropped since is skipped.
 */
export async function readDefinitions(client: Client, tables: readonly CatalogTable[]): Promise<void> {
  if (tables.length === 0) return;
  const names = `array[${tables.map((t) => quoteLiteral(qualifiedName(t.schema, t.name))).join(", ")}]::text[]`;
  const r = await client.query<Q.DefinitionRow>(Q.DEFINITIONS({ tables: names }));
  attachDefinitions(tables, r.rows);
}

export interface IntrospectOptions {
  /**
   * Read constraint and index definitions (text for people) too. Default true. The
   * planner reads them later, only for tables with drift (`readDefinitions`): at 1,000
   * tables printing them is a third of the server's time.
   */
  readonly definitions?: boolean;
}

/** Reads the catalog using an already connected client (see `introspect`). */
export async function introspectWith(client: Client, schemas: readonly string[], opts: IntrospectOptions = {}): Promise<Catalog> {
  const withDefinitions = opts.definitions ?? true;
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
    Q.FUNCTIONS(s),
    Q.EXTENSIONS,
    Q.ROLES,
    ...(withDefinitions ? [Q.DEFINITIONS({ schemas: s })] : []),
    "commit",
  ];
  try {
    const sortPrivileges = privilegeSorter();
    // Each table document becomes a CatalogTable as its row arrives, while the server is
    // still building the next ones (the documents are the read's only json column).
    const parseTable = (text: string): CatalogTable => tableFromDoc(text, sortPrivileges);
    const types: CustomTypesConfig = { getTypeParser: ((oid: number, format?: "text" | "binary") => (oid === JSON_OID ? parseTable : pgTypes.getTypeParser(oid, format))) as CustomTypesConfig["getTypeParser"] };
    const results = (await client.query({ text: statements.join(";\n"), types })) as unknown as QueryResult[];
    if (!Array.isArray(results) || results.length !== statements.length) throw new Error(`introspection returned ${Array.isArray(results) ? results.length : 1} results, expected ${statements.length}`);
    const rows = <R extends QueryResultRow>(i: number): R[] => (results[i] as QueryResult<R>).rows;
    const info = rows<Q.InfoRow>(2)[0];
    const version = Number(info.version);
    const present = rows<{ nspname: string }>(3);
    const functions = rows<Q.FunctionRow>(5);
    const extensions = rows<{ extname: string }>(6);
    const roles = rows<Q.RoleRow>(7);

    const catalogTables = rows<Q.TableRow>(4).map((r) => {
      (r.doc as Mutable<CatalogTable>).estimatedRows = Number(r.reltuples);
      return r.doc;
    });
    catalogTables.sort(byCodePoints);
    if (withDefinitions) attachDefinitions(catalogTables, rows<Q.DefinitionRow>(8));
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
      privileges: sortPrivileges(parseAcl(f.privileges)),
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
export async function introspect(db: Db | Client, schemas: readonly string[], opts: IntrospectOptions = {}): Promise<Catalog> {
  return withClient(db, (c) => introspectWith(c, schemas, opts));
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
