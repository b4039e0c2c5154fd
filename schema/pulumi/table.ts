/**
 * `ve:Table`: one resource per declared table, owning its columns, constraints,
 * indexes, RLS, policies, grants and triggers. Its inputs are the table's normalised
 * declaration, so a preview shows the declaration changing; `ve-infra plan` shows the
 * SQL. Every method is a thin call into the engine: plan the one table, apply, plan
 * again to record what (if anything) is left.
 *
 * - create adopts: a table that already exists is converged, not refused (Pulumi
 *   cannot import dynamic resources).
 * - diff: replacement only when the table's identity (schema, name) changes; every
 *   other change, and drift found by refresh, is done in place.
 * - read (refresh) re-plans against the live database and records the drift.
 * - delete drops the table through the engine, which refuses when it holds rows
 *   unless VE_ALLOW_DATA_LOSS names it; in prod the resource is also protected.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClientConfig } from "pg";
import { DataLossRefusedError, apply } from "../engine/apply";
import { withClient } from "../engine/connection";
import { introspect, introspectWith } from "../engine/introspect";
import { plan } from "../engine/plan";
import { probeRows } from "../engine/probes";
import type { RoleDecl, SchemaModel, TableDecl } from "../model/types";
import { connectionFromStackConfig, consentFromEnv, resolveConnection, type ProviderConfigRequest } from "./connection";
import { stableJson } from "./slices";
import { summarise, type PlanSummary } from "./summary";
import type { Platform } from "./platform";

export interface TableInputs {
  readonly schema: string;
  readonly name: string;
  readonly platform: Platform;
  /** The normalised declaration (key-sorted plain data). */
  readonly declaration: TableDecl;
  /** Declarations of the roles the table's grants and policies name. */
  readonly roles: RoleDecl[];
}

export interface TableOutputs extends TableInputs, PlanSummary {
  /** Steps the last create/update ran. */
  readonly appliedSteps: number;
}

const IDENTITY = ["schema", "name"] as const;

function modelOf(inputs: TableInputs, withTable: boolean): SchemaModel {
  return { schemas: [inputs.schema], extensions: [], roles: inputs.roles, functions: [], tables: withTable ? [inputs.declaration] : [], retired: [] };
}

function inputsOf(o: TableInputs): TableInputs {
  return { schema: o.schema, name: o.name, platform: o.platform, declaration: o.declaration, roles: o.roles };
}

export class TableProvider implements pulumi.dynamic.ResourceProvider<TableInputs, TableOutputs> {
  private configured: ClientConfig | undefined;

  async configure(req: ProviderConfigRequest): Promise<void> {
    this.configured = connectionFromStackConfig(req);
  }

  async check(_olds: TableInputs, news: TableInputs): Promise<pulumi.dynamic.CheckResult<TableInputs>> {
    const d = news.declaration;
    const failures = d && d.schema === news.schema && d.name === news.name
      ? []
      : [{ property: "declaration", reason: `declaration must describe ${news.schema}.${news.name}` }];
    return { inputs: news, failures };
  }

  async diff(_id: string, olds: TableOutputs, news: TableInputs): Promise<pulumi.dynamic.DiffResult> {
    const replaces = IDENTITY.filter((k) => olds[k] !== news[k]);
    const declared = stableJson(inputsOf(olds)) !== stableJson(inputsOf(news));
    // Drift recorded by refresh (read) makes the next `up` converge the table again.
    const drifted = (olds.drift?.length ?? 0) > 0 || (olds.pendingSteps ?? 0) > 0;
    return { changes: replaces.length > 0 || declared || drifted, replaces, deleteBeforeReplace: false };
  }

  async create(inputs: TableInputs): Promise<pulumi.dynamic.CreateResult<TableOutputs>> {
    const outs = await this.converge(inputs);
    return { id: `${inputs.schema}.${inputs.name}`, outs };
  }

  async update(_id: string, _olds: TableOutputs, news: TableInputs): Promise<pulumi.dynamic.UpdateResult<TableOutputs>> {
    return { outs: await this.converge(news) };
  }

  async read(id: string, props?: TableOutputs): Promise<pulumi.dynamic.ReadResult<TableOutputs>> {
    if (!props) return { id, props };
    const db = resolveConnection(this.configured);
    const catalog = await introspect(db, [props.schema]);
    // Dropped by hand: an empty id removes it from state, and the next `up` creates it again.
    if (!catalog.tables.some((t) => t.schema === props.schema && t.name === props.name)) return { id: "" };
    const live = await plan(db, modelOf(props, true), { platform: props.platform, tables: [id], includeGlobal: false });
    const summary = summarise(live, id);
    // Planned steps are drift too when the engine did not itemise them.
    const drift = summary.drift.length > 0 || summary.pendingSteps === 0
      ? summary.drift
      : live.steps.map((s) => ({ object: s.object, expected: s.action, actual: "differs", security: s.hazards.some((h) => h.kind === "SECURITY") }));
    // `inputs` (3.216+) keeps refresh from reporting the outputs-only keys as input changes.
    // The SDK types it as Outputs although the host treats it as inputs.
    return { id, props: { ...props, ...summary, drift }, inputs: inputsOf(props) as TableOutputs };
  }

  async delete(id: string, props: TableOutputs): Promise<void> {
    const db = resolveConnection(this.configured);
    const consent = consentFromEnv();
    await withClient(db, async (client) => {
      const live = (await introspectWith(client, [props.schema])).tables.find((t) => t.schema === props.schema && t.name === props.name);
      if (!live) return;
      const rows = await probeRows(client, [{ live, undeclared: [] }]);
      if (rows.nonEmptyTables.has(id) && !consent.includes(id)) {
        throw new Error(
          `refusing to drop ${id}: it holds rows. Nothing was changed. To drop it and its rows, run again with ` +
            `VE_ALLOW_DATA_LOSS=${id} (in prod, also lift protect: pulumi state unprotect <urn>).`,
        );
      }
      // Dropping an empty table loses nothing, so it needs no consent from the caller.
      const allowDataLoss = [...consent, id];
      // An undeclared table is dropped only by a whole-model plan, and only with its consent key.
      const p = await plan(client, modelOf(props, false), { platform: props.platform, includeGlobal: false, allowDataLoss: [id] });
      await apply(db, { ...p, steps: p.steps.filter((s) => s.consentKey === id) }, { allowDataLoss });
    });
  }

  private async converge(inputs: TableInputs): Promise<TableOutputs> {
    const db = resolveConnection(this.configured);
    const key = `${inputs.schema}.${inputs.name}`;
    const allowDataLoss = consentFromEnv();
    const options = { platform: inputs.platform, tables: [key], includeGlobal: false, allowDataLoss };
    const model = modelOf(inputs, true);
    const first = await plan(db, model, options);
    const result = await apply(db, first, { allowDataLoss }).catch((e: unknown) => {
      // The engine's message names the command line's flag; under Pulumi consent is an environment variable.
      if (e instanceof DataLossRefusedError) {
        throw new Error(`${e.message} Under Pulumi: VE_ALLOW_DATA_LOSS=${e.consentKeys.join(",")} pulumi up`);
      }
      throw e;
    });
    const after = summarise(await plan(db, model, options), key);
    return { ...inputsOf(inputs), ...after, drift: [], appliedSteps: result.steps.filter((s) => s.status === "applied").length };
  }
}

export const tableProvider = new TableProvider();

export type TableArgs = { [K in keyof TableInputs]: pulumi.Input<TableInputs[K]> };

export class Table extends pulumi.dynamic.Resource {
  declare readonly schema: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly declaration: pulumi.Output<TableDecl>;
  declare readonly pendingSteps: pulumi.Output<number>;
  declare readonly planHash: pulumi.Output<string>;
  declare readonly blocked: pulumi.Output<PlanSummary["blocked"]>;
  declare readonly drift: pulumi.Output<PlanSummary["drift"]>;
  declare readonly appliedSteps: pulumi.Output<number>;

  constructor(name: string, args: TableArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = { pendingSteps: undefined, pendingStepIds: undefined, planHash: undefined, blocked: undefined, drift: undefined, appliedSteps: undefined };
    super(tableProvider, name, { ...outputs, ...args }, opts, "ve", "Table");
  }
}
