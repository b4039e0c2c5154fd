/**
 * Rows for the isolation suite, generated from the live columns rather than written
 * per table: the owner's id in the tenancy column, foreign keys pointing at the
 * owner's parent rows, and a value of the right type (an allowed literal where a
 * CHECK lists them) in every NOT NULL column without a default. Values are kept as
 * text and cast back to the column's type, so any row read back can be reused.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { Client } from "pg";
import type { LiveColumn, LiveTable } from "./isolation-catalog";
import { ident, qualifiedIdent, type Statement } from "./isolation-session";
import type { RowOverride } from "./types";

/** A row as text values (NULL as null), keyed by column. */
export type Row = Readonly<Record<string, string | null>>;
export type Values = Map<string, string | null>;

/** The first string literal of a stored CHECK: `status = ANY (ARRAY['a'::text, ...])` gives `a`. */
function firstStringLiteral(checkDef: string): string | undefined {
  const m = /'((?:[^']|'')*)'/.exec(checkDef);
  return m ? m[1].replace(/''/g, "'") : undefined;
}

function token(maxLength: number): string {
  return `iso_${randomBytes(8).toString("hex")}`.slice(0, Math.max(1, maxLength));
}

/** A value of the column's type that its CHECK accepts, or undefined when the suite cannot tell. */
export function generateValue(col: LiveColumn): string | undefined {
  for (const def of col.checks) {
    const literal = firstStringLiteral(def);
    if (literal !== undefined) return literal;
  }
  if (col.enumLabels.length > 0) return col.enumLabels[0];
  const t = col.type;
  if (t.endsWith("[]")) return "{}";
  if (t === "uuid") return randomUUID();
  const sized = /^(?:character varying|character|bit varying|bit)\((\d+)\)$/.exec(t);
  if (sized) return t.startsWith("bit") ? "1".repeat(Number(sized[1])) : token(Number(sized[1]));
  if (t === "text" || t === "character varying" || t === "citext" || t === "name") return token(64);
  if (/^(smallint|integer|bigint|numeric|real|double precision)/.test(t)) return "1";
  if (t === "boolean") return "true";
  if (t === "json" || t === "jsonb") return "{}";
  if (/^(timestamp|date|time)/.test(t)) return "now";
  if (t.startsWith("interval")) return "1 hour";
  if (t === "inet" || t === "cidr") return "127.0.0.1";
  if (t === "bytea") return "\\x00";
  return undefined;
}

export class RowFactory {
  constructor(
    private readonly live: ReadonlyMap<string, LiveTable>,
    /** `schema.table` -> tenancy column, for every table whose rows have an owner (auth.users included). */
    private readonly tenancy: ReadonlyMap<string, string>,
    private readonly overrides: Readonly<Record<string, RowOverride>>,
  ) {}

  table(key: string): LiveTable {
    const t = this.live.get(key);
    if (!t) throw new Error(`isolation suite: table ${key} is declared but does not exist in the database; deploy the schema first`);
    return t;
  }

  /**
   * Values for a new row of `key` owned by `owner` (null for a table without owner).
   * `fixed` values win, then the per-table override, then the owner, then foreign keys
   * to `parentOf(target)`, then generated values for the NOT NULL columns left.
   */
  values(key: string, owner: string | null, parentOf: (target: string) => Row | undefined, fixed: Readonly<Record<string, string | null>> = {}): Values {
    const t = this.table(key);
    const v: Values = new Map(Object.entries(fixed));
    for (const [c, val] of Object.entries(this.overrides[key] ?? {})) if (!v.has(c)) v.set(c, val);
    const tenancy = this.tenancy.get(key);
    if (tenancy && owner !== null && !v.has(tenancy)) v.set(tenancy, owner);
    const byName = new Map(t.columns.map((c) => [c.name, c]));
    for (const fk of t.foreignKeys) {
      if (fk.target === key) continue; // self-references stay NULL: no row of the table exists yet to point at
      const open = fk.columns.filter((c) => !v.has(c));
      // MATCH SIMPLE: a key with any NULL column is not checked, so nullable references can stay empty.
      if (open.length === 0 || open.every((c) => !byName.get(c)?.notNull)) continue;
      const parent = parentOf(fk.target);
      if (!parent) throw new Error(`isolation suite: ${key}.${fk.name} needs a row of ${fk.target}, which the suite does not create; add an override for ${key}`);
      fk.columns.forEach((c, i) => {
        if (!v.has(c)) v.set(c, parent[fk.targetColumns[i]] ?? null);
      });
    }
    for (const c of t.columns) {
      if (v.has(c.name) || !c.notNull || c.hasDefault || c.generated) continue;
      const value = generateValue(c);
      if (value === undefined) {
        throw new Error(`isolation suite: cannot generate a value of type ${c.type} for ${key}.${c.name}; add it to the overrides for ${key}`);
      }
      v.set(c.name, value);
    }
    return v;
  }

  /** `INSERT ... VALUES ($1::type, ...)`, returning every column (and xmin) as text when `returning`. */
  insert(key: string, values: Values, returning = false): Statement {
    const t = this.table(key);
    const byName = new Map(t.columns.map((c) => [c.name, c]));
    const cols = [...values.keys()];
    const casts = cols.map((c, i) => {
      const col = byName.get(c);
      if (!col) throw new Error(`isolation suite: ${key} has no column ${c} (named in a fixture or override)`);
      return `$${i + 1}::${col.type}`;
    });
    const target = qualifiedIdent(t.schema, t.name);
    const head = cols.length === 0 ? `insert into ${target} default values` : `insert into ${target} (${cols.map(ident).join(", ")}) values (${casts.join(", ")})`;
    // xmin (never a user column name) tells later whether a caller's blind UPDATE reached the row.
    const tail = returning ? ` returning xmin::text as xmin, ${t.columns.map((c) => `${ident(c.name)}::text as ${ident(c.name)}`).join(", ")}` : "";
    return { sql: head + tail, params: cols.map((c) => values.get(c) ?? null) };
  }

  /** The cast for a parameter bound to `column` of `key`. */
  cast(key: string, column: string): string {
    const col = this.table(key).columns.find((c) => c.name === column);
    if (!col) throw new Error(`isolation suite: ${key} has no column ${column}`);
    return col.type;
  }
}

/** Referenced tables before referencing ones (self-references and unknown targets ignored); stable otherwise. */
export function insertionOrder(keys: readonly string[], live: ReadonlyMap<string, LiveTable>): string[] {
  const pending = new Set(keys);
  const order: string[] = [];
  while (pending.size > 0) {
    const ready = [...pending].filter((k) =>
      (live.get(k)?.foreignKeys ?? []).every((fk) => fk.target === k || !pending.has(fk.target)),
    );
    // A cycle of foreign keys: take the rest in declaration order and let NULLable keys stay empty.
    const next = ready.length > 0 ? ready : [...pending];
    for (const k of next) {
      order.push(k);
      pending.delete(k);
    }
  }
  return order;
}

export interface FixturePlan {
  /** Tables whose rows have an owner, in insertion order, with the owners to create rows for. */
  readonly owned: readonly { readonly key: string; readonly owners: readonly string[] }[];
  /** Tables without owner: one shared row each (with its override). */
  readonly shared: readonly string[];
  /** Extra rows of shared tables (e.g. the catalog row anon must not see), by table. */
  readonly extra: readonly { readonly key: string; readonly name: string; readonly values: RowOverride }[];
  readonly order: readonly string[];
}

export interface Fixtures {
  /** table -> owner id -> row */
  readonly owned: Map<string, Map<string, Row>>;
  readonly shared: Map<string, Row>;
  /** `${table}:${name}` -> row */
  readonly extra: Map<string, Row>;
}

/** Inserts the fixture rows with the verifier's own rights (BYPASSRLS), in insertion order. */
export async function createFixtures(client: Client, factory: RowFactory, plan: FixturePlan): Promise<Fixtures> {
  const fx: Fixtures = { owned: new Map(), shared: new Map(), extra: new Map() };
  const parentFor = (owner: string | null) => (target: string): Row | undefined =>
    (owner !== null ? fx.owned.get(target)?.get(owner) : undefined) ?? fx.shared.get(target);
  const insert = async (key: string, owner: string | null, fixed: RowOverride = {}): Promise<Row> => {
    const stmt = factory.insert(key, factory.values(key, owner, parentFor(owner), fixed), true);
    try {
      const { rows } = await client.query<Record<string, string | null>>(stmt.sql, [...stmt.params]);
      return rows[0];
    } catch (e) {
      throw new Error(`isolation suite: could not create a fixture row in ${key} (${e instanceof Error ? e.message : String(e)}); add an override for ${key}`);
    }
  };
  for (const key of plan.order) {
    const owned = plan.owned.find((o) => o.key === key);
    if (owned) {
      const rows = new Map<string, Row>();
      for (const owner of owned.owners) rows.set(owner, await insert(key, owner));
      fx.owned.set(key, rows);
    } else if (plan.shared.includes(key)) {
      fx.shared.set(key, await insert(key, null));
      for (const e of plan.extra.filter((x) => x.key === key)) fx.extra.set(`${key}:${e.name}`, await insert(key, null, e.values));
    }
  }
  return fx;
}
