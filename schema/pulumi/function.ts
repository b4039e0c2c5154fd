/**
 * `ve:Function`: one resource per declared function (e.g. the audit log's append-only
 * trigger function). Tables whose triggers or expressions call a function depend on it.
 * The engine plans functions as schema-wide steps; deleting the resource retires the
 * function through the engine's `retired` mechanism, the same path the model uses.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClientConfig } from "pg";
import { apply } from "../engine/apply";
import { introspect } from "../engine/introspect";
import { plan } from "../engine/plan";
import type { FunctionDecl, RoleDecl, SchemaModel } from "../model/types";
import { connectionFromStackConfig, consentFromEnv, resolveConnection, type ProviderConfigRequest } from "./connection";
import { stableJson } from "./slices";
import { summarise, type PlanSummary } from "./summary";
import type { Platform } from "./platform";

export interface FunctionInputs {
  readonly schema: string;
  readonly name: string;
  readonly platform: Platform;
  readonly declaration: FunctionDecl;
  /** Roles granted EXECUTE, as declared. */
  readonly roles: RoleDecl[];
}

export interface FunctionOutputs extends FunctionInputs, PlanSummary {
  readonly appliedSteps: number;
}

function modelOf(inputs: FunctionInputs, retire: boolean): SchemaModel {
  const d = inputs.declaration;
  const identity = `${d.schema}.${d.name}(${d.args.map((a) => a.type).join(", ")})`;
  return {
    schemas: [inputs.schema], extensions: [], roles: inputs.roles, tables: [],
    functions: retire ? [] : [d],
    retired: retire ? [{ kind: "function", identity, reason: "removed from the declared model" }] : [],
  };
}

function inputsOf(o: FunctionInputs): FunctionInputs {
  return { schema: o.schema, name: o.name, platform: o.platform, declaration: o.declaration, roles: o.roles };
}

/** Signature (name and argument types): a different one is a different function in PostgreSQL. */
const signature = (d: FunctionDecl): string => `${d.schema}.${d.name}(${d.args.map((a) => a.type).join(",")})`;
/** What the engine's drift items about this function start with (`function public.f(`). */
const owner = (i: FunctionInputs): string => `${i.schema}.${i.name}`;

export class FunctionProvider implements pulumi.dynamic.ResourceProvider<FunctionInputs, FunctionOutputs> {
  private configured: ClientConfig | undefined;

  async configure(req: ProviderConfigRequest): Promise<void> {
    this.configured = connectionFromStackConfig(req);
  }

  async diff(_id: string, olds: FunctionOutputs, news: FunctionInputs): Promise<pulumi.dynamic.DiffResult> {
    // CREATE OR REPLACE cannot change a function's arguments or return type; the
    // engine handles that in place too (drop + create in one step), so only a new
    // signature is a new resource.
    const replaces = signature(olds.declaration) !== signature(news.declaration) ? ["declaration"] : [];
    const declared = stableJson(inputsOf(olds)) !== stableJson(inputsOf(news));
    const drifted = (olds.drift?.length ?? 0) > 0 || (olds.pendingSteps ?? 0) > 0;
    return { changes: replaces.length > 0 || declared || drifted, replaces, deleteBeforeReplace: false };
  }

  async create(inputs: FunctionInputs): Promise<pulumi.dynamic.CreateResult<FunctionOutputs>> {
    return { id: signature(inputs.declaration), outs: await this.converge(inputs) };
  }

  async update(_id: string, _olds: FunctionOutputs, news: FunctionInputs): Promise<pulumi.dynamic.UpdateResult<FunctionOutputs>> {
    return { outs: await this.converge(news) };
  }

  async read(id: string, props?: FunctionOutputs): Promise<pulumi.dynamic.ReadResult<FunctionOutputs>> {
    if (!props) return { id, props };
    const db = resolveConnection(this.configured);
    const catalog = await introspect(db, [props.schema]);
    if (!catalog.functions.some((f) => f.schema === props.schema && f.name === props.name)) return { id: "" };
    const p = await plan(db, modelOf(props, false), { platform: props.platform, tables: [], includeGlobal: true });
    const live = summarise(p, owner(props));
    const drift = live.drift.length > 0 || live.pendingSteps === 0
      ? live.drift
      : p.steps.map((s) => ({ object: s.object, expected: s.action, actual: "differs", security: s.hazards.some((h) => h.kind === "SECURITY") }));
    return { id, props: { ...props, ...live, drift }, inputs: inputsOf(props) as FunctionOutputs };
  }

  async delete(_id: string, props: FunctionOutputs): Promise<void> {
    const db = resolveConnection(this.configured);
    const allowDataLoss = consentFromEnv();
    const p = await plan(db, modelOf(props, true), { platform: props.platform, tables: [], includeGlobal: true, allowDataLoss });
    await apply(db, p, { allowDataLoss });
  }

  private async converge(inputs: FunctionInputs): Promise<FunctionOutputs> {
    const db = resolveConnection(this.configured);
    const allowDataLoss = consentFromEnv();
    const options = { platform: inputs.platform, tables: [], includeGlobal: true, allowDataLoss };
    const model = modelOf(inputs, false);
    const result = await apply(db, await plan(db, model, options), { allowDataLoss });
    const after = summarise(await plan(db, model, options), owner(inputs));
    return { ...inputsOf(inputs), ...after, drift: [], appliedSteps: result.steps.filter((s) => s.status === "applied").length };
  }
}

export const functionProvider = new FunctionProvider();

export type FunctionArgs = { [K in keyof FunctionInputs]: pulumi.Input<FunctionInputs[K]> };

export class Function extends pulumi.dynamic.Resource {
  declare readonly declaration: pulumi.Output<FunctionDecl>;
  declare readonly pendingSteps: pulumi.Output<number>;
  declare readonly planHash: pulumi.Output<string>;
  declare readonly drift: pulumi.Output<PlanSummary["drift"]>;

  constructor(name: string, args: FunctionArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = { pendingSteps: undefined, pendingStepIds: undefined, planHash: undefined, blocked: undefined, drift: undefined, appliedSteps: undefined };
    super(functionProvider, name, { ...outputs, ...args }, opts, "ve", "Function");
  }
}
