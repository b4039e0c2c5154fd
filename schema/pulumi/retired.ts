/**
 * `ve:Retired`: objects that existed before and must be gone (e.g. the context-switching
 * `set_customer_context(uuid)` that let any caller become any customer). One resource
 * for the list, so a preview shows the list changing. Refresh reports a retired object
 * that came back; the next `up` removes it again. Deleting the resource removes
 * nothing: it would only bring back objects nobody declares.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClientConfig } from "pg";
import { apply } from "../engine/apply";
import { plan } from "../engine/plan";
import type { RetiredObject, SchemaModel } from "../model/types";
import { connectionFromStackConfig, consentFromEnv, resolveConnection, type ProviderConfigRequest } from "./connection";
import { stableJson } from "./slices";
import { summarise, type PlanSummary } from "./summary";
import type { Platform } from "./platform";

export interface RetiredInputs {
  readonly platform: Platform;
  readonly schemas: string[];
  readonly retired: RetiredObject[];
}

export interface RetiredOutputs extends RetiredInputs, PlanSummary {
  readonly appliedSteps: number;
}

const modelOf = (i: RetiredInputs): SchemaModel => ({ schemas: i.schemas, extensions: [], roles: [], functions: [], tables: [], retired: i.retired });
const inputsOf = (o: RetiredInputs): RetiredInputs => ({ platform: o.platform, schemas: o.schemas, retired: o.retired });

export class RetiredProvider implements pulumi.dynamic.ResourceProvider<RetiredInputs, RetiredOutputs> {
  private configured: ClientConfig | undefined;

  async configure(req: ProviderConfigRequest): Promise<void> {
    this.configured = connectionFromStackConfig(req);
  }

  async diff(_id: string, olds: RetiredOutputs, news: RetiredInputs): Promise<pulumi.dynamic.DiffResult> {
    const drifted = (olds.pendingSteps ?? 0) > 0;
    return { changes: drifted || stableJson(inputsOf(olds)) !== stableJson(inputsOf(news)), replaces: [] };
  }

  async create(inputs: RetiredInputs): Promise<pulumi.dynamic.CreateResult<RetiredOutputs>> {
    return { id: "retired", outs: await this.converge(inputs) };
  }

  async update(_id: string, _olds: RetiredOutputs, news: RetiredInputs): Promise<pulumi.dynamic.UpdateResult<RetiredOutputs>> {
    return { outs: await this.converge(news) };
  }

  async read(id: string, props?: RetiredOutputs): Promise<pulumi.dynamic.ReadResult<RetiredOutputs>> {
    if (!props) return { id, props };
    const p = await plan(resolveConnection(this.configured), modelOf(props), { platform: props.platform, tables: [], includeGlobal: true });
    const live = summarise(p);
    const drift = p.steps.map((s) => ({ object: s.object, expected: "absent (retired)", actual: "present", security: s.hazards.some((h) => h.kind === "SECURITY") }));
    return { id, props: { ...props, ...live, drift }, inputs: inputsOf(props) as RetiredOutputs };
  }

  async delete(): Promise<void> {
    // See the module comment: nothing to undo.
  }

  private async converge(inputs: RetiredInputs): Promise<RetiredOutputs> {
    const db = resolveConnection(this.configured);
    const allowDataLoss = consentFromEnv();
    const options = { platform: inputs.platform, tables: [], includeGlobal: true, allowDataLoss };
    const result = await apply(db, await plan(db, modelOf(inputs), options), { allowDataLoss });
    const after = summarise(await plan(db, modelOf(inputs), options));
    return { ...inputsOf(inputs), ...after, drift: [], appliedSteps: result.steps.filter((s) => s.status === "applied").length };
  }
}

export const retiredProvider = new RetiredProvider();

export type RetiredArgs = { [K in keyof RetiredInputs]: pulumi.Input<RetiredInputs[K]> };

export class Retired extends pulumi.dynamic.Resource {
  declare readonly retired: pulumi.Output<RetiredObject[]>;
  declare readonly pendingSteps: pulumi.Output<number>;

  constructor(name: string, args: RetiredArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = { pendingSteps: undefined, pendingStepIds: undefined, planHash: undefined, blocked: undefined, drift: undefined, appliedSteps: undefined };
    super(retiredProvider, name, { ...outputs, ...args }, opts, "ve", "Retired");
  }
}
