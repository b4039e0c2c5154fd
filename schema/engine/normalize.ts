/**
 * Declared expressions normalised by PostgreSQL itself. PostgreSQL stores a parsed
 * tree and prints it back its own way (`auth.uid() = customer_id` comes back as
 * `(( SELECT auth.uid() AS uid) = customer_id)`, a varchar IN-list as `= ANY (ARRAY
 * [...])`), so the only comparison that converges is against the same printer.
 *
 * In one transaction that is always rolled back, the declared columns become
 * temporary tables, the declared defaults, checks, index predicates and policy
 * predicates are created on them, and `pg_get_expr` reads them back. Temporary
 * tables come first on the path (`pg_temp, <managed schemas>`), so a policy that
 * reads another declared table sees its declared columns, and names print exactly
 * as the live catalog prints them under `<managed schemas>`.
 *
 * Each distinct (expression, column signature) is normalised once, on one
 * representative table per signature; the statements go in batches of DO blocks
 * that record failures instead of aborting, so a bad expression is reported with
 * the declaration it came from.
 */
import type { Client, QueryResult } from "pg";
import type { SchemaModel, TableDecl } from "../model/types";
import { dollarQuote, quoteIdent, quoteLiteral, searchPathValue, tableKey } from "./sql";
import { createFunctionSql } from "./ddl-global";

export interface NormalizedModel {
  /** `schema.table.column` -> default as stored. */
  readonly defaults: ReadonlyMap<string, string>;
  /** `schema.table:name` -> check expression as stored. */
  readonly checks: ReadonlyMap<string, string>;
  /** `schema.table:index` -> predicate as stored. */
  readonly predicates: ReadonlyMap<string, string>;
  /** `schema.table:policy` -> USING / WITH CHECK as stored. */
  readonly using: ReadonlyMap<string, string>;
  readonly withCheck: ReadonlyMap<string, string>;
}

/** Declared SQL that PostgreSQL refused, each message naming its declaration. */
export class ModelExpressionError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the model has SQL that PostgreSQL rejects:\n  ${problems.join("\n  ")}`);
    this.name = "ModelExpressionError";
  }
}

type JobKind = "default" | "check" | "predicate" | "using" | "withCheck";

interface Job {
  readonly kind: JobKind;
  readonly expr: string;
  /** The column type for defaults; the table for the rest. */
  readonly type?: string;
  readonly table?: TableDecl;
  /** Where the result goes in NormalizedModel. */
  readonly resultKey: string;
  /** For error messages (declarationOf): `policy tasks_select` on `public.tasks`. */
  readonly what: string;
  readonly on: string;
}

/** "policy tasks_select on public.tasks": built only for an error message. */
function declarationOf(j: Job): string {
  return `${j.what} on ${j.on}`;
}

const BATCH = 400;
const REP_PREFIX = "ve_norm_r";

function jobsOf(model: SchemaModel): Job[] {
  const jobs: Job[] = [];
  for (const t of model.tables) {
    const q = tableKey(t.schema, t.name);
    for (const c of t.columns)
      if (c.default) jobs.push({ kind: "default", expr: c.default.sql, type: c.type, resultKey: `${q}.${c.name}`, what: `default of column ${c.name}`, on: q });
    for (const c of t.checks) jobs.push({ kind: "check", expr: c.expression.sql, table: t, resultKey: `${q}:${c.name}`, what: `check ${c.name}`, on: q });
    for (const i of t.indexes)
      if (i.where) jobs.push({ kind: "predicate", expr: i.where.sql, table: t, resultKey: `${q}:${i.name}`, what: `index ${i.name}`, on: q });
    for (const p of t.policies) {
      if (p.using) jobs.push({ kind: "using", expr: p.using.sql, table: t, resultKey: `${q}:${p.name}`, what: `policy ${p.name}`, on: q });
      if (p.withCheck) jobs.push({ kind: "withCheck", expr: p.withCheck.sql, table: t, resultKey: `${q}:${p.name}`, what: `policy ${p.name}`, on: q });
    }
  }
  return jobs;
}

function signature(t: TableDecl): string {
  return JSON.stringify(t.columns.map((c) => [c.name, c.type]));
}

const WORD = /^\w+$/;

/**
 * Whether `name` occurs in `text` as a whole word (what `\b<name>\b` tests). For a
 * name made of word characters that is the same as being one of the text's maximal
 * word runs, so each text is split into words once (cached) instead of compiling a
 * regular expression per table and scanning all expression text with each: at 1,000
 * tables that was a million-table-name scan. Other names keep the regular expression.
 */
function wordTester(): (name: string, text: string) => boolean {
  const words = new Map<string, ReadonlySet<string>>();
  return (name, text) => {
    if (!WORD.test(name)) return new RegExp(`\\b${name}\\b`).test(text);
    let set = words.get(text);
    if (!set) {
      set = new Set(text.match(/\w+/g) ?? []);
      words.set(text, set);
    }
    return set.has(name);
  };
}

/**
 * Wraps a statement so its failure is recorded under `id` instead of aborting the
 * batch; with `unless`, the statement runs only when that SQL condition is false.
 */
function guarded(id: number, statement: string, unless?: string): string {
  const run = `execute ${quoteLiteral(statement)};`;
  const body = `begin ${unless ? `if not (${unless}) then ${run} end if;` : run} exception when others then insert into pg_temp.ve_norm_err values (${id}, sqlerrm); end`;
  return `do ${dollarQuote(body, "ve")};`;
}

function createShadow(name: string, t: TableDecl): string {
  const cols = t.columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(", ");
  return `create temp table ${quoteIdent(name)} (${cols})`;
}

function jobStatement(job: Job, id: number, on: string, defaultsTable: string): string {
  const name = quoteIdent(`n${id}`);
  if (job.kind === "default") return `alter table ${quoteIdent(defaultsTable)} add column ${quoteIdent(`d${id}`)} ${job.type} default ${job.expr}`;
  const rel = quoteIdent(on);
  switch (job.kind) {
    case "check":
      return `alter table ${rel} add constraint ${name} check (${job.expr})`;
    case "predicate":
      return `create index ${name} on ${rel} ((true)) where ${job.expr}`;
    case "using":
      return `create policy ${name} on ${rel} using (${job.expr})`;
    case "withCheck":
      return `create policy ${name} on ${rel} with check (${job.expr})`;
  }
}

const READBACK = `
with temp_rel as (select oid, relname from pg_class where relnamespace = pg_my_temp_schema())
select substr(conname, 2)::int as id, pg_get_expr(conbin, conrelid) as expr
  from pg_constraint where conrelid in (select oid from temp_rel) and conname ~ '^n[0-9]+$'
union all
select substr(i.relname, 2)::int, pg_get_expr(x.indpred, x.indrelid)
  from pg_index x join temp_rel i on i.oid = x.indexrelid where i.relname ~ '^n[0-9]+$'
union all
select substr(polname, 2)::int, coalesce(pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid))
  from pg_policy where polrelid in (select oid from temp_rel) and polname ~ '^n[0-9]+$'
union all
select substr(a.attname, 2)::int, pg_get_expr(d.adbin, d.adrelid)
  from pg_attrdef d join pg_attribute a on a.attrelid = d.adrelid and a.attnum = d.adnum
 where d.adrelid in (select oid from temp_rel where relname like 've_norm_defaults%') and a.attname ~ '^d[0-9]+$'`;

interface RunResult {
  readonly exprs: Map<number, string>;
  readonly errors: Map<number, string>;
  /** Normalisation policies that read a declared table by its qualified name (see qualifiedReferences). */
  readonly refs: readonly { readonly id: number; readonly rel: string }[];
}

/**
 * Runs the statements and reads back the results, in as few round trips as the batch
 * size allows: `head` goes in front of the first batch, and the read-back queries
 * after the last, as one multi-statement simple query (its last results are theirs).
 */
async function run(client: Client, statements: readonly string[], head: readonly string[], refsSql: string): Promise<RunResult> {
  const tail = [`${READBACK};`, "select id, message from pg_temp.ve_norm_err;", "truncate pg_temp.ve_norm_err;", `${refsSql};`];
  const batches: (readonly string[])[] = [];
  for (let i = 0; i < statements.length; i += BATCH) batches.push(statements.slice(i, i + BATCH));
  if (batches.length === 0) batches.push([]);
  let results: QueryResult[] = [];
  for (let k = 0; k < batches.length; k++) {
    const text = [...(k === 0 ? head : []), ...batches[k], ...(k === batches.length - 1 ? tail : [])].join("\n");
    const r = (await client.query(text)) as unknown as QueryResult | QueryResult[];
    results = Array.isArray(r) ? r : [r];
  }
  if (results.length < tail.length) throw new Error(`normalisation read-back returned ${results.length} results, expected at least ${tail.length}`);
  const [readback, errs, , refs] = results.slice(-tail.length) as [QueryResult<{ id: number; expr: string }>, QueryResult<{ id: number; message: string }>, QueryResult, QueryResult<{ id: number; rel: string }>];
  const exprs = new Map<number, string>();
  for (const r of readback.rows) exprs.set(r.id, r.expr);
  const errors = new Map<number, string>();
  for (const r of errs.rows) if (!errors.has(r.id)) errors.set(r.id, r.message);
  return { exprs, errors, refs: refs.rows };
}

/**
 * Normalises (and so validates) every SQL expression of the model. Throws
 * ModelExpressionError naming each declaration PostgreSQL rejects.
 */
export async function normalizeModel(client: Client, model: SchemaModel): Promise<NormalizedModel> {
  const out = { defaults: new Map<string, string>(), checks: new Map<string, string>(), predicates: new Map<string, string>(), using: new Map<string, string>(), withCheck: new Map<string, string>() };
  const jobs = jobsOf(model);
  const problems: string[] = [];
  // Sent with the first batch (run), so the whole normalisation is usually two round trips.
  const head = [
    "begin;",
    `set local search_path = ${searchPathValue(["pg_temp", ...model.schemas])};`,
    // Declared functions are created unchecked so that policies may call them before they exist live.
    "set local check_function_bodies = off;",
    "create temp table ve_norm_err (id int, message text);",
  ];
  const refsSql = qualifiedReferencesSql(model);
  try {

    // What already exists is decided by the server, not by the catalog read: so this
    // batch can be queued behind the catalog read before its results are back.
    let nextId = 1;
    const prelude: string[] = [];
    const preludeDecl = new Map<number, string>();
    for (const schema of model.schemas) prelude.push(guarded(nextId++, `create schema if not exists ${quoteIdent(schema)}`));
    for (const ext of model.extensions) prelude.push(guarded(nextId++, `create extension if not exists ${quoteIdent(ext)}`));
    for (const f of model.functions) {
      // A live function of the same signature is kept: the declared one may differ, and apply replaces it.
      const signature = `${quoteIdent(f.schema)}.${quoteIdent(f.name)}(${f.args.map((a) => a.type).join(", ")})`;
      preludeDecl.set(nextId, `function ${f.schema}.${f.name}`);
      prelude.push(guarded(nextId++, createFunctionSql(f), `to_regprocedure(${quoteLiteral(signature)}) is not null`));
    }

    // One representative temp table per column signature, plus real-named ones for declared
    // tables that some expression may mention, so subqueries resolve to declared columns.
    const mentions = wordTester();
    // One signature per table, not one per job (a table has several expressions).
    const sigOf = new Map(model.tables.map((t) => [t, signature(t)]));
    const sigs = new Map<string, string>();
    const tableFailed = new Map<number, string>();
    const shadows: string[] = [];
    const allExprText = jobs.filter((j) => j.kind !== "default").map((j) => j.expr).join("\n");
    const realShadows = new Set<string>();
    for (const t of model.tables) {
      const sig = sigOf.get(t) ?? signature(t);
      if (!sigs.has(sig)) {
        const rep = `${REP_PREFIX}${sigs.size}`;
        sigs.set(sig, rep);
        preludeDecl.set(nextId, `table ${t.schema}.${t.name}`);
        tableFailed.set(nextId, rep);
        shadows.push(guarded(nextId++, createShadow(rep, t)));
      }
      if (!realShadows.has(t.name) && mentions(t.name, allExprText)) {
        realShadows.add(t.name);
        shadows.push(guarded(nextId++, createShadow(t.name, t)));
      }
    }
    const defaultsTables: string[] = [];
    const stmts: string[] = [...prelude, ...shadows];
    const byKey = new Map<string, { id: number; jobs: Job[]; rep: string }>();
    let defaultsCount = 0;
    for (const job of jobs) {
      // An expression naming its own table must run on a table of that name.
      const own = job.table && mentions(job.table.name, job.expr);
      const rep = job.table ? (own ? job.table.name : (sigs.get(sigOf.get(job.table) ?? signature(job.table)) ?? "")) : "";
      const key = job.kind === "default" ? `default|${job.type}|${job.expr}` : `${job.kind}|${rep}|${job.expr}`;
      const seen = byKey.get(key);
      if (seen) {
        seen.jobs.push(job);
        continue;
      }
      const id = nextId++;
      byKey.set(key, { id, jobs: [job], rep });
      // A table holds at most 1,600 columns; spread the defaults over several.
      if (job.kind === "default" && defaultsCount++ % 1000 === 0) {
        defaultsTables.push(`ve_norm_defaults${defaultsTables.length}`);
        stmts.push(`create temp table ${quoteIdent(defaultsTables[defaultsTables.length - 1])} ();`);
      }
      stmts.push(guarded(id, jobStatement(job, id, rep, defaultsTables[defaultsTables.length - 1] ?? "")));
    }
    const first = await run(client, stmts, head, refsSql);

    for (const [id, message] of first.errors) {
      const decl = preludeDecl.get(id);
      if (decl) problems.push(`${decl}: ${message}`);
    }
    const failedReps = new Set([...tableFailed].filter(([id]) => first.errors.has(id)).map(([, rep]) => rep));

    // Output that names the representative depends on the table's own name (a subquery
    // qualifies the outer columns): normalise those again on each real-named table.
    const again: { job: Job; id: number }[] = [];
    const againStmts: string[] = [];
    for (const { id, jobs: group, rep } of byKey.values()) {
      const err = first.errors.get(id);
      if (err) {
        if (!failedReps.has(rep)) for (const j of group) problems.push(`${declarationOf(j)}: ${err}`);
        continue;
      }
      const expr = first.exprs.get(id);
      if (expr === undefined) continue;
      if (rep.startsWith(REP_PREFIX) && mentions(rep, expr)) {
        for (const j of group) {
          const t = j.table as TableDecl;
          if (!realShadows.has(t.name)) {
            realShadows.add(t.name);
            againStmts.push(guarded(nextId++, createShadow(t.name, t)));
          }
          const jid = nextId++;
          again.push({ job: j, id: jid });
          againStmts.push(guarded(jid, jobStatement(j, jid, t.name, "")));
        }
        continue;
      }
      for (const j of group) out[mapFor(j.kind)].set(j.resultKey, expr);
    }
    let last = first;
    if (againStmts.length > 0) {
      const second = await run(client, againStmts, [], refsSql);
      last = second;
      for (const { job, id } of again) {
        const err = second.errors.get(id);
        const expr = second.exprs.get(id);
        if (err) problems.push(`${declarationOf(job)}: ${err}`);
        else if (expr !== undefined) out[mapFor(job.kind)].set(job.resultKey, expr);
      }
    }
    problems.push(...qualifiedReferences(last.refs, [...byKey.values()].map((g) => ({ id: g.id, jobs: g.jobs })).concat(again.map((a) => ({ id: a.id, jobs: [a.job] })))));
  } finally {
    await client.query("rollback").catch(() => undefined);
  }
  if (problems.length > 0) throw new ModelExpressionError([...new Set(problems)]);
  return out;
}

/**
 * A policy that names a declared table with its schema (`public.x`) reads the live
 * table here, not the declared shadow, and PostgreSQL prints the reference
 * qualified here but unqualified in the live catalog: it would differ forever.
 */
function qualifiedReferencesSql(model: SchemaModel): string {
  const declared = model.tables.map((t) => quoteLiteral(`${t.schema}.${t.name}`));
  return `select substr(p.polname, 2)::int as id, n.nspname || '.' || c.relname as rel
       from pg_policy p
       join pg_depend d on d.classid = 'pg_policy'::regclass and d.objid = p.oid and d.refclassid = 'pg_class'::regclass
       join pg_class c on c.oid = d.refobjid join pg_namespace n on n.oid = c.relnamespace
      where p.polname ~ '^n[0-9]+$' and n.nspname || '.' || c.relname = any(array[${declared.join(", ")}]::text[])`;
}

function qualifiedReferences(rows: RunResult["refs"], groups: readonly { id: number; jobs: readonly Job[] }[]): string[] {
  const byId = new Map(groups.map((g) => [g.id, g.jobs]));
  return rows.flatMap((r) => (byId.get(r.id) ?? []).map((j) => `${declarationOf(j)}: refers to ${r.rel} with its schema; write ${r.rel.split(".")[1]} unqualified so the declared table is meant`));
}

function mapFor(kind: JobKind): "defaults" | "checks" | "predicates" | "using" | "withCheck" {
  return kind === "default" ? "defaults" : kind === "check" ? "checks" : kind === "predicate" ? "predicates" : kind;
}
