/**
 * plan(): introspect -> normalise -> diff -> ordered steps. Reads only; nothing in
 * here changes the database (normalisation works in a transaction it rolls back).
 *
 * Step order: schema-wide objects first; then per table, in foreign-key order, its
 * concurrent index builds, its one transactional group, its validations; then what
 * may only go once everything else holds (superseded constraints, undeclared
 * indexes, retired functions).
 */
import { Client } from "pg";
import type { SchemaModel, TableDecl } from "../model/types";
import type { Catalog, CatalogTable } from "./catalog-types";
import { withClient, type Db } from "./connection";
import { diffColumns } from "./diff/columns";
import { diffConstraints } from "./diff/constraints";
import { TableDiff, PHASE, type DiffContext } from "./diff/context";
import { diffGlobal } from "./diff/functions";
import { diffGrants } from "./diff/grants";
import { diffIndexes } from "./diff/indexes";
import { createTable } from "./diff/new-table";
import { diffPolicies } from "./diff/policies";
import { diffTriggers } from "./diff/triggers";
import { hazard } from "./hazards";
import { catalogFingerprint, introspectWith, readDefinitions } from "./introspect";
import { normalizeModel } from "./normalize";
import { orderTables } from "./order";
import type { BlockedConstraint, DriftItem, KeptObject, Plan, PlanStep } from "./plan-types";
import { probeRows, probeViolations } from "./probes";
import { qualifiedName, tableKey } from "./sql";
import { groupSteps, onlineStep, type GroupChange, type LooseStep } from "./steps";

export interface PlanOptions {
  readonly platform: "supabase" | "postgres";
  /** Qualified table names to plan; undefined = every declared table (and undeclared ones are reported). */
  readonly tables?: readonly string[];
  /** Plan extensions, roles and functions too. Default: true when `tables` is undefined. */
  readonly includeGlobal?: boolean;
  /** Consent keys for data-losing changes ("public.virtual_employees.kagent_version", "public.old_table"). */
  readonly allowDataLoss?: readonly string[];
}

function managedRoles(model: SchemaModel): Set<string> {
  const roles = new Set<string>(["PUBLIC"]);
  const add = (r: string): void => void roles.add(r.toLowerCase() === "public" ? "PUBLIC" : r);
  model.roles.forEach((r) => add(r.name));
  for (const t of model.tables) {
    t.grants.forEach((g) => add(g.role));
    t.policies.forEach((p) => p.roles.forEach(add));
  }
  model.functions.forEach((f) => f.executableBy.forEach(add));
  return roles;
}

function checkRoles(model: SchemaModel, catalog: Catalog, platform: PlanOptions["platform"]): void {
  const have = new Set(catalog.roles.map((r) => r.name));
  const missing = model.roles.filter((r) => r.origin === "platform" && !have.has(r.name)).map((r) => r.name);
  if (missing.length === 0) return;
  throw new Error(
    platform === "postgres"
      ? `roles ${missing.join(", ")} do not exist: run preparePlatform(db, "postgres") before planning`
      : `roles ${missing.join(", ")} do not exist: is this a Supabase database?`,
  );
}

function scopeOf(model: SchemaModel, tables: readonly string[] | undefined): TableDecl[] {
  if (!tables) return [...model.tables];
  const byKey = new Map(model.tables.map((t) => [tableKey(t.schema, t.name), t]));
  const unknown = tables.filter((k) => !byKey.has(k));
  if (unknown.length > 0) throw new Error(`tables not declared in the model: ${unknown.join(", ")}`);
  return tables.map((k) => byKey.get(k) as TableDecl);
}

/**
 * `reading` is the catalog read already sent on `client` (startPlan), or undefined.
 * The normalisation batch is queued right behind the read, so the server runs it
 * while this process is still turning the catalog's rows into objects.
 */
async function planWith(client: Client, model: SchemaModel, opts: PlanOptions, reading?: Promise<Catalog>): Promise<Plan> {
  const catalogRead = reading ?? introspectWith(client, model.schemas, { definitions: false });
  const normalizing = normalizeModel(client, model);
  // Both are awaited below; whichever fails first is the error, and neither may go unhandled meanwhile.
  normalizing.catch(() => undefined);
  let catalog: Catalog;
  try {
    catalog = await catalogRead;
    checkRoles(model, catalog, opts.platform);
  } catch (e) {
    await normalizing.catch(() => undefined);
    throw e;
  }
  const normalized = await normalizing;
  const includeGlobal = opts.includeGlobal ?? opts.tables === undefined;
  const scope = scopeOf(model, opts.tables);
  const liveByKey = new Map(catalog.tables.map((t) => [tableKey(t.schema, t.name), t]));
  // Only diff/columns.ts reads the row facts: whether a table lacking a declared column
  // holds rows (addColumn) and whether an undeclared column holds values (dropUndeclared).
  // A table whose columns match its declaration is not probed: opening every relation
  // costs a round trip per batch and a relation open per table for answers nobody reads.
  const toProbe = scope.flatMap((t) => {
    const live = liveByKey.get(tableKey(t.schema, t.name));
    if (!live) return [];
    // The common case, the same columns in the same order, without building sets.
    if (live.columns.length === t.columns.length && live.columns.every((c, i) => c.name === t.columns[i].name)) return [];
    const liveNames = new Set(live.columns.map((c) => c.name));
    const declared = new Set(t.columns.map((c) => c.name));
    const undeclared = live.columns.filter((c) => !declared.has(c.name)).map((c) => c.name);
    const lacksDeclared = t.columns.some((c) => !liveNames.has(c.name));
    return undeclared.length > 0 || lacksDeclared ? [{ live, undeclared }] : [];
  });
  const rows = await probeRows(client, toProbe);
  const ctx: DiffContext = { model, normalized, rows, allowDataLoss: new Set(opts.allowDataLoss ?? []), managedRoles: managedRoles(model), currentUser: catalog.currentUser, serverVersion: catalog.serverVersion };

  const order = orderTables(scope);
  const diffTable = (t: TableDecl): TableDiff => {
    const key = tableKey(t.schema, t.name);
    const d = new TableDiff(t, liveByKey.get(key), ctx);
    if (!d.live) {
      const deferred = new Set(t.foreignKeys.filter((fk) => order.deferred.has(`${key}:${fk.name}`)).map((fk) => fk.name));
      createTable(d, deferred);
    } else {
      diffConstraints(d);
      diffColumns(d);
      diffIndexes(d);
      diffPolicies(d);
      diffGrants(d, { fresh: false });
      diffTriggers(d);
    }
    return d;
  };
  const diffs = order.tables.map(diffTable);
  // Definitions are text for drift, read only now and only where there is drift; those
  // tables are diffed again (a diff is a pure function of declaration, catalog and context).
  const drifted = diffs.flatMap((d, i) => (d.live && (d.drift.length > 0 || d.kept.length > 0) ? [i] : []));
  if (drifted.length > 0 && drifted.some((i) => lacksDefinitions(diffs[i].live))) {
    await readDefinitions(client, drifted.map((i) => diffs[i].live as CatalogTable));
    for (const i of drifted) diffs[i] = diffTable(diffs[i].decl);
  }

  const allValidations = diffs.flatMap((d) => d.validations.map((v) => ({ d, v })));
  const answers = await probeViolations(client, allValidations.map((x) => x.v));
  const validationSteps = new Map<TableDiff, PlanStep[]>();
  const blocked: BlockedConstraint[] = [];
  const extraGroup = new Map<TableDiff, GroupChange[]>();
  allValidations.forEach(({ d, v }, i) => {
    const a = answers[i];
    if (a && a.count > 0) {
      const b = { table: d.key, constraint: v.constraint, reason: v.reason, rows: a.rows, rowCount: a.count };
      blocked.push(b);
      d.blocked.push(b);
      return;
    }
    const precondition = { sql: v.violationsSql, description: `no row breaks ${v.object}` };
    if (v.setNotNull) {
      // A new column on a table that was empty when planned; SET NOT NULL scans it under the group's lock.
      extraGroup.set(d, [...(extraGroup.get(d) ?? []), { phase: PHASE.columns, id: d.id("column", v.constraint, "not-null"), object: v.object, action: "alter", sql: v.setNotNull.sql, lock: "ACCESS EXCLUSIVE", precondition, hazards: [hazard.longLock(`Setting NOT NULL scans ${d.key} while holding its exclusive lock.`)] }]);
      return;
    }
    validationSteps.set(d, [...(validationSteps.get(d) ?? []), onlineStep(d.key, { id: d.id("constraint", v.constraint, "validate"), object: v.object, action: "validate", sql: v.validateSql, transactional: false, lock: "SHARE UPDATE EXCLUSIVE", hazards: [], precondition })]);
  });

  const global = includeGlobal ? diffGlobal(model, catalog) : { pre: [], post: [], drift: [], kept: [] };
  const steps: PlanStep[] = [...global.pre];
  for (const d of diffs) {
    // Nothing to do on this table (the common case on a converged database).
    if (d.group.length === 0 && d.pre.length === 0 && !extraGroup.has(d) && !validationSteps.has(d)) continue;
    const changes = [...d.group, ...(extraGroup.get(d) ?? [])];
    const onNewColumns = indexesOnNewColumns(d);
    if (onNewColumns.size === 0) {
      steps.push(...d.pre.map((s) => onlineStep(d.key, s)));
      steps.push(...groupSteps(d.key, changes, d.live !== undefined));
    } else {
      // An index over a column this plan adds can only be built once the column exists:
      // the columns commit first, the index is built concurrently, then the rest.
      const late = (s: LooseStep) => onNewColumns.has(s.object);
      steps.push(...d.pre.filter((s) => !late(s)).map((s) => onlineStep(d.key, s)));
      steps.push(...groupSteps(d.key, changes.filter((c) => c.phase <= PHASE.columns), true));
      steps.push(...d.pre.filter(late).map((s) => onlineStep(d.key, s)));
      steps.push(...groupSteps(d.key, changes.filter((c) => c.phase > PHASE.columns), true));
    }
    steps.push(...(validationSteps.get(d) ?? []));
  }
  for (const d of diffs) {
    for (const s of d.post) {
      if (s.dependsOnValid && d.blocked.some((b) => b.constraint === s.dependsOnValid)) {
        if (s.keptReason) d.keep(s.object, s.keptReason);
        continue;
      }
      steps.push(onlineStep(d.key, s));
    }
  }
  const kept: KeptObject[] = [...diffs.flatMap((d) => d.kept), ...global.kept];
  const drift: DriftItem[] = [...global.drift, ...diffs.flatMap((d) => d.drift)];
  if (!opts.tables) steps.push(...undeclaredTables(model, catalog, ctx.allowDataLoss, kept, drift));
  steps.push(...global.post);

  const scopeKeys = scope.map((t) => tableKey(t.schema, t.name)).sort();
  return {
    formatVersion: 1,
    database: catalog.database,
    serverVersion: catalog.serverVersion,
    fingerprint: catalogFingerprint(catalog, { tables: scopeKeys, global: includeGlobal }),
    scope: scopeKeys,
    schemas: [...model.schemas],
    includesGlobal: includeGlobal,
    steps,
    blocked,
    kept,
    drift,
    warnings: rowVisibilityWarnings(catalog),
  };
}

/**
 * A role without SUPERUSER or BYPASSRLS (e.g. the read-only role pull-request plans
 * use) sees no rows of a table with forced RLS: undeclared columns would look empty
 * and constraints unblocked. The plan says so instead of pretending.
 */
function rowVisibilityWarnings(catalog: Catalog): string[] {
  const me = catalog.roles.find((r) => r.name === catalog.currentUser);
  if (me?.superuser || me?.bypassRls) return [];
  return [
    `planned as ${catalog.currentUser}, which has neither SUPERUSER nor BYPASSRLS: row-level security hides tenant rows from it, ` +
      "so columns that hold data and rows that block a constraint may not show here. Apply plans again as the applier.",
  ];
}

/** Tables in the managed schemas the model does not declare: kept, or dropped with consent. */
function undeclaredTables(model: SchemaModel, catalog: Catalog, consent: ReadonlySet<string>, kept: KeptObject[], drift: DriftItem[]): PlanStep[] {
  const declared = new Set(model.tables.map((t) => tableKey(t.schema, t.name)));
  const steps: PlanStep[] = [];
  for (const t of catalog.tables as CatalogTable[]) {
    const key = tableKey(t.schema, t.name);
    if (declared.has(key)) continue;
    drift.push({ table: key, object: `table ${key}`, expected: "(not declared)", actual: `table with ${t.columns.length} columns`, security: !t.rlsEnabled });
    if (!consent.has(key)) {
      kept.push({ table: key, object: `table ${key}`, reason: `not declared; kept (drop with consent "${key}")` });
      continue;
    }
    steps.push({
      ...onlineStep(key, { id: `${key}:table:${t.name}:drop`, object: `table ${key}`, action: "drop", sql: `drop table ${qualifiedName(t.schema, t.name)}`, transactional: true, lock: "ACCESS EXCLUSIVE", hazards: [hazard.dataLoss(`Drops table ${key} and every row in it.`)] }),
      consentKey: key,
      allowedByDeclaration: false,
    });
  }
  return steps;
}

/** Plans the changes that converge the database to the model. Reads only. */
export async function plan(db: Db | Client, model: SchemaModel, opts: PlanOptions): Promise<Plan> {
  return withClient(db, (c) => planWith(c, model, opts));
}

/** A plan whose catalog read is already under way (see `startPlan`). */
export interface StartedPlan {
  /** Plans against `model` and closes the connection. Reads the catalog again if the model manages other schemas than the ones named to `startPlan`. */
  plan(model: SchemaModel, opts: PlanOptions): Promise<Plan>;
  /** Closes the connection without planning (for when the model could not be built). */
  cancel(): Promise<void>;
}

/**
 * Connects and sends the catalog read for `schemas`, then resolves: the server spends
 * most of a plan's time reading the catalog, and the caller can build its model
 * meanwhile (a model of 1,000 tables takes about a third of that read to build and
 * validate). The read is the same snapshot `plan` takes, only started earlier;
 * nothing is planned until `plan(model)` is called. Resolving only once the query is
 * on its way matters: a caller that builds its model synchronously would otherwise
 * hold up the connection handshake until it is done.
 */
export async function startPlan(db: Db, schemas: readonly string[]): Promise<StartedPlan> {
  const client = new Client(db);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
  const reading = introspectWith(client, schemas, { definitions: false });
  // Awaited by plan() or cancel(); until then a failed read must not count as unhandled.
  reading.catch(() => undefined);
  let used = false;
  const claim = (): void => {
    if (used) throw new Error("startPlan(): plan() or cancel() may be called once");
    used = true;
  };
  return {
    async plan(model, opts) {
      claim();
      try {
        const same = model.schemas.length === schemas.length && model.schemas.every((s, i) => s === schemas[i]);
        if (!same) await reading;
        return await planWith(client, model, opts, same ? reading : undefined);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    async cancel() {
      claim();
      await reading.catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}

function lacksDefinitions(t: CatalogTable | undefined): boolean {
  return !!t && (t.constraints.some((c) => c.definition === undefined) || t.indexes.some((i) => i.definition === undefined));
}

/** Objects (`index <name> on <table>`) of the indexes and keys of an existing table that use columns it does not have yet. */
function indexesOnNewColumns(d: TableDiff): Set<string> {
  if (!d.live) return new Set();
  const live = new Set(d.live.columns.map((c) => c.name));
  const usesNew = (columns: readonly string[]) => columns.some((c) => !live.has(c));
  const names = [...d.decl.indexes, ...d.decl.uniques, d.decl.primaryKey].filter((i) => usesNew(i.columns)).map((i) => i.name);
  return new Set(names.map((n) => `index ${n} on ${d.key}`));
}
