import type { FunctionDecl, PolicyCommand, SchemaModel, TableDecl } from "./types";
import { identifierProblem, isTypeName } from "./names";

export interface ModelIndex {
  readonly model: SchemaModel;
  /** Declared roles -> bypassRls. */
  readonly roles: ReadonlyMap<string, boolean>;
  readonly functions: ReadonlyMap<string, FunctionDecl>;
  readonly tables: ReadonlyMap<string, TableDecl>;
  /** Registers an index/constraint name in the schema's shared namespace; reports clashes. */
  claimRelationName(schema: string, name: string, owner: string): void;
  /** The functions `sql` calls per row (`auth.uid()` not wrapped in a select); memoised, as many policies share one expression. */
  perRowAuthCalls(sql: string): readonly string[];
}

const COLUMN_PRIVILEGES = new Set(["select", "insert", "update", "references"]);
const ROW_COMMANDS = ["select", "insert", "update", "delete"] as const;
/** `auth.uid()` and friends not wrapped as `(select auth.uid())` are re-evaluated per row (lint 0003). */
const AUTH_CALL = /(select\s+)?\bauth\s*\.\s*(uid|jwt|role|email)\s*\(\s*\)/gi;

/** The `auth.*()` functions `sql` calls outside a `select`, in order of appearance. */
export function perRowAuthCalls(sql: string): string[] {
  const calls: string[] = [];
  for (const m of sql.matchAll(AUTH_CALL)) if (!m[1]) calls.push(m[2]);
  return calls;
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((c) => b.includes(c)) && new Set(a).size === a.length;
const leads = (indexColumns: readonly string[], key: readonly string[]): boolean =>
  key.length > 0 && key.every((c, i) => indexColumns[i] === c);

export function validateTable(t: TableDecl, ix: ModelIndex, problems: string[]): void {
  const where = `table ${t.schema}.${t.name}`;
  const report = (msg: string): void => void problems.push(`${where}: ${msg}`);
  const nameOk = (what: string, v: unknown): void => {
    const p = identifierProblem(v);
    if (p) report(`${what} name ${p}`);
  };
  nameOk("schema", t.schema);
  nameOk("table", t.name);

  const columns = new Map(t.columns.map((c) => [c.name, c]));
  const seen = new Set<string>();
  for (const c of t.columns) {
    nameOk(`column`, c.name);
    if (seen.has(c.name)) report(`column ${c.name} is declared twice; keep one`);
    seen.add(c.name);
    if (!isTypeName(c.type)) report(`column ${c.name} has type ${JSON.stringify(c.type)}, which is not a type name as format_type() prints it`);
    else if (/^timestamp(\(\d+\))?( without time zone)?$/.test(c.type)) {
      report(`column ${c.name} is ${c.type}; timestamps are stored as instants, use timestamptz() (timestamp with time zone)`);
    }
  }
  const unknownColumns = (what: string, cols: readonly string[]): void => {
    for (const c of cols) if (!columns.has(c)) report(`${what} names unknown column ${JSON.stringify(c)}; declare the column or fix the name`);
  };
  const noColumns = (what: string, cols: readonly string[], fix: string): boolean => {
    if (cols.length === 0) report(`${what} has no columns; ${fix}`);
    return cols.length === 0;
  };

  // Constraints and indexes: names, columns, shared namespace.
  const localNames = new Set<string>();
  const claim = (kind: string, n: string): void => {
    nameOk(kind, n);
    if (localNames.has(n)) report(`${kind} ${n}: the name is used twice on this table; rename one`);
    localNames.add(n);
    // One namespace per schema for every constraint and index: PostgreSQL requires it
    // for indexes (and the PK/unique indexes), and a schema-wide rule keeps names unambiguous.
    ix.claimRelationName(t.schema, n, `${kind} ${n} on ${t.schema}.${t.name}`);
  };
  claim("primary key", t.primaryKey.name);
  if (!noColumns(`primary key ${t.primaryKey.name}`, t.primaryKey.columns, "mark a column .primaryKey() or give primaryKey: primaryKey(name).on(...) (not both)")) {
    unknownColumns(`primary key ${t.primaryKey.name}`, t.primaryKey.columns);
  }
  for (const u of t.uniques) {
    claim("unique constraint", u.name);
    if (!noColumns(`unique constraint ${u.name}`, u.columns, "list its columns with .on(...)")) unknownColumns(`unique constraint ${u.name}`, u.columns);
  }
  for (const c of t.checks) {
    claim("check constraint", c.name);
    if (!c.expression?.sql?.trim()) report(`check constraint ${c.name} has an empty expression; write the condition`);
  }
  for (const i of t.indexes) {
    claim("index", i.name);
    if (!noColumns(`index ${i.name}`, i.columns, "list its columns with .on(...)")) unknownColumns(`index ${i.name}`, i.columns);
    if (i.unique && i.method !== "btree") report(`index ${i.name} is unique with method ${i.method}; only btree indexes can be unique`);
  }
  for (const fk of t.foreignKeys) {
    claim("foreign key", fk.name);
    validateForeignKey(t, fk, ix, report, unknownColumns);
  }

  // Tenancy and RLS.
  if (t.tenancy) {
    if (!columns.has(t.tenancy.column)) report(`tenancy column ${JSON.stringify(t.tenancy.column)} is not a column of the table; declare it or fix tenancy.column`);
    if (!t.rls.enabled || !t.rls.forced) report(`is a tenant table but RLS is not enabled and forced; set rls: { enabled: true, forced: true } so no role sees every tenant by owning the table`);
    const indexed = [t.primaryKey.columns, ...t.uniques.map((u) => u.columns), ...t.indexes.map((i) => i.columns)].some((cols) => cols[0] === t.tenancy?.column);
    if (!indexed) report(`no index leads with the tenancy column ${t.tenancy.column}, which every policy filters on; add index("idx_${t.name}_${t.tenancy.column}").on("${t.tenancy.column}")`);
  }
  if (!t.rls.enabled && t.policies.length > 0) report(`has policies but RLS is disabled, so they do nothing; enable RLS`);
  if (t.rls.forced && !t.rls.enabled) report(`RLS is forced but not enabled; forcing has no effect without enabling`);

  // Policies.
  const policyNames = new Set<string>();
  const permissive = new Map<string, string>();
  for (const p of t.policies) {
    const pw = `policy ${p.name}`;
    nameOk("policy", p.name);
    if (policyNames.has(p.name)) report(`${pw} is declared twice; rename one`);
    policyNames.add(p.name);
    if (p.roles.length === 0) report(`${pw} names no roles, so it would apply to PUBLIC (every role); add .to("authenticated") or the intended roles`);
    for (const r of p.roles) {
      const rp = identifierProblem(r);
      if (rp) report(`${pw}: role name ${rp}`);
      else if (!ix.roles.has(r)) report(`${pw} names role ${r}, which the model does not declare; declare the role or fix the name`);
    }
    if (p.command === "insert" && p.using) report(`${pw}: an INSERT policy has no USING (there is no existing row); use withCheck`);
    if ((p.command === "select" || p.command === "delete") && p.withCheck) report(`${pw}: a ${p.command.toUpperCase()} policy cannot have WITH CHECK; use using`);
    if (p.command === "insert" ? !p.withCheck : !p.using) report(`${pw} has no ${p.command === "insert" ? "WITH CHECK" : "USING"} expression; add ${p.command === "insert" ? ".withCheck(...)" : ".using(...)"}`);
    for (const e of [p.using, p.withCheck]) {
      if (!e) continue;
      for (const fn of ix.perRowAuthCalls(e.sql)) report(`${pw} calls auth.${fn}() per row; write (select auth.${fn}()) so it is evaluated once per statement`);
    }
    if (p.permissive) {
      const commands: readonly PolicyCommand[] = p.command === "all" ? ROW_COMMANDS : [p.command];
      for (const r of p.roles) {
        for (const c of commands) {
          const prior = permissive.get(`${r}:${c}`);
          if (prior !== undefined && prior !== p.name) report(`${pw} and ${prior} are both permissive for ${r} on ${c.toUpperCase()}; merge them into one policy (Supabase lint 0006)`);
          else permissive.set(`${r}:${c}`, p.name);
        }
      }
    }
  }

  // Grants.
  for (const g of t.grants) {
    const gw = `grant to ${g.role}`;
    const rp = identifierProblem(g.role);
    if (rp) report(`${gw}: role name ${rp}`);
    else if (!ix.roles.has(g.role)) report(`${gw} names role ${g.role}, which the model does not declare; declare the role or fix the name`);
    if (g.privileges.length === 0) report(`${gw} grants no privileges; remove it or list them`);
    if (g.columns) {
      if (g.columns.length === 0) report(`${gw} has an empty column list; omit columns for a table-level grant`);
      unknownColumns(gw, g.columns);
      for (const p of g.privileges) {
        if (!COLUMN_PRIVILEGES.has(p)) report(`${gw}: ${p.toUpperCase()} cannot be granted on columns; grant it on the table`);
      }
    }
  }
  // A grant with no policy for that command is dead under RLS; for a tenant table it
  // also means the grant was given without deciding which rows it reaches.
  if (t.tenancy && t.rls.enabled) {
    for (const g of t.grants) {
      if (ix.roles.get(g.role) !== false) continue; // undeclared (reported) or BYPASSRLS
      for (const priv of g.privileges) {
        if (!(ROW_COMMANDS as readonly string[]).includes(priv)) continue;
        const covered = t.policies.some((p) => p.permissive && p.roles.includes(g.role) && (p.command === priv || p.command === "all"));
        if (!covered) report(`grants ${priv.toUpperCase()} to ${g.role} but has no permissive ${priv.toUpperCase()} policy for ${g.role}; add policy("${t.name}_${priv}").for("${priv}").to("${g.role}")... or drop the grant`);
      }
    }
  }

  // Triggers.
  const triggerNames = new Set<string>();
  for (const tr of t.triggers) {
    const tw = `trigger ${tr.name}`;
    nameOk("trigger", tr.name);
    if (triggerNames.has(tr.name)) report(`${tw} is declared twice; rename one`);
    triggerNames.add(tr.name);
    if (tr.events.length === 0) report(`${tw} has no events; use .before("update", ...) or .after(...)`);
    if (tr.events.includes("truncate") && tr.forEach !== "statement") report(`${tw}: TRUNCATE triggers must be .forEach("statement")`);
    const f = ix.functions.get(`${tr.function.schema}.${tr.function.name}`);
    if (!f) report(`${tw} executes ${tr.function.schema}.${tr.function.name}, which the model does not declare; declare it with func(...)`);
    else if (f.returns !== "trigger" || f.args.length > 0) report(`${tw} executes ${f.schema}.${f.name}, which is not a trigger function (no arguments, returns trigger)`);
  }
}

function validateForeignKey(
  t: TableDecl,
  fk: TableDecl["foreignKeys"][number],
  ix: ModelIndex,
  report: (m: string) => void,
  unknownColumns: (what: string, cols: readonly string[]) => void,
): void {
  const fw = `foreign key ${fk.name}`;
  if (fk.columns.length === 0) report(`${fw} has no columns; use .columns(...)`);
  unknownColumns(fw, fk.columns);
  const ref = fk.references;
  const target = ix.tables.get(`${ref.schema}.${ref.table}`);
  if (!ref.table) {
    report(`${fw} references no table; call .references("schema.table", ...columns)`);
  } else if (!target) {
    report(`${fw} references ${ref.schema}.${ref.table}, which the model does not declare; declare the table or fix the name`);
  } else {
    for (const c of ref.columns) {
      if (!target.columns.some((tc) => tc.name === c)) report(`${fw} references unknown column ${JSON.stringify(c)} of ${ref.schema}.${ref.table}; fix the name`);
    }
    const keys = [target.primaryKey.columns, ...target.uniques.map((u) => u.columns), ...target.indexes.filter((i) => i.unique && !i.where).map((i) => i.columns)];
    if (ref.columns.length > 0 && !keys.some((k) => sameSet(k, ref.columns))) {
      report(`${fw} references (${ref.columns.join(", ")}) of ${ref.schema}.${ref.table}, which is not its primary key or a unique constraint; add unique(...).on(${ref.columns.map((c) => `"${c}"`).join(", ")}) there`);
    }
    if (fk.columns.length !== ref.columns.length) {
      report(`${fw} has ${fk.columns.length} column(s) but references ${ref.columns.length}; list matching columns on both sides`);
    } else {
      fk.columns.forEach((c, i) => {
        const mine = t.columns.find((x) => x.name === c);
        const theirs = target.columns.find((x) => x.name === ref.columns[i]);
        if (mine && theirs && mine.type !== theirs.type) report(`${fw}: column ${c} is ${mine.type} but ${ref.table}.${theirs.name} is ${theirs.type}; make the types equal`);
      });
    }
  }
  if (fk.onDeleteSetColumns) {
    if (fk.onDelete !== "set null" && fk.onDelete !== "set default") report(`${fw}: a column list is only allowed with ON DELETE SET NULL / SET DEFAULT, not ${fk.onDelete.toUpperCase()}`);
    for (const c of fk.onDeleteSetColumns) {
      if (!fk.columns.includes(c)) report(`${fw}: ON DELETE SET NULL column ${c} is not one of the key's columns (${fk.columns.join(", ")}); list only key columns`);
    }
  }
  if (fk.onDelete === "set null") {
    for (const c of fk.onDeleteSetColumns ?? fk.columns) {
      const col = t.columns.find((x) => x.name === c);
      if (col?.notNull) report(`${fw}: ON DELETE SET NULL would null NOT NULL column ${c}; use .onDelete("set null", [<the nullable reference columns>])`);
    }
  }
  // Supabase lint 0001: only an index leading with the key's columns, in order, serves it.
  const covering = [t.primaryKey.columns, ...t.uniques.map((u) => u.columns), ...t.indexes.map((i) => i.columns)];
  if (fk.columns.length > 0 && !covering.some((cols) => leads(cols, fk.columns))) {
    report(`${fw}: no index leads with (${fk.columns.join(", ")}); add index("idx_${t.name}_${fk.columns.join("_")}").on(${fk.columns.map((c) => `"${c}"`).join(", ")})`);
  }
}
