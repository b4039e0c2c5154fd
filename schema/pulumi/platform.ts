/**
 * `ve:Platform`: what the schema relies on before any table exists. On plain
 * PostgreSQL it creates Supabase's API roles and `auth.uid()`; on Supabase it checks
 * they are there. Either way it refuses an applier without BYPASSRLS. Tables and
 * functions depend on it. Deleting it removes nothing: the roles are server-wide and
 * other databases may use them.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClientConfig } from "pg";
import { checkApplier, preparePlatform } from "../platform";
import { connectionFromStackConfig, resolveConnection, type ProviderConfigRequest } from "./connection";

export type Platform = "supabase" | "postgres";

export interface PlatformInputs {
  readonly platform: Platform;
}

export interface PlatformOutputs extends PlatformInputs {
  /** Set by `read` when the applier or the platform objects are missing (refresh shows it). */
  readonly problem?: string;
}

export class PlatformProvider implements pulumi.dynamic.ResourceProvider<PlatformInputs, PlatformOutputs> {
  private configured: ClientConfig | undefined;

  async configure(req: ProviderConfigRequest): Promise<void> {
    this.configured = connectionFromStackConfig(req);
  }

  async check(_olds: PlatformInputs, news: PlatformInputs): Promise<pulumi.dynamic.CheckResult<PlatformInputs>> {
    const ok = news.platform === "supabase" || news.platform === "postgres";
    return { inputs: news, failures: ok ? [] : [{ property: "platform", reason: "must be supabase or postgres" }] };
  }

  async diff(_id: string, olds: PlatformOutputs, news: PlatformInputs): Promise<pulumi.dynamic.DiffResult> {
    // Switching platform or clearing a problem found by refresh is done in place.
    return { changes: olds.platform !== news.platform || olds.problem !== undefined, replaces: [] };
  }

  async create(inputs: PlatformInputs): Promise<pulumi.dynamic.CreateResult<PlatformOutputs>> {
    await this.converge(inputs);
    return { id: `platform:${inputs.platform}`, outs: { platform: inputs.platform } };
  }

  async update(_id: string, _olds: PlatformOutputs, news: PlatformInputs): Promise<pulumi.dynamic.UpdateResult<PlatformOutputs>> {
    await this.converge(news);
    return { outs: { platform: news.platform } };
  }

  async read(id: string, props?: PlatformOutputs): Promise<pulumi.dynamic.ReadResult<PlatformOutputs>> {
    if (!props) return { id, props };
    const db = resolveConnection(this.configured);
    let problem: string | undefined;
    try {
      await checkApplier(db);
      // On Supabase this only checks; on plain PostgreSQL it is idempotent and recreates what was dropped by hand.
      if (props.platform === "supabase") await preparePlatform(db, "supabase");
    } catch (e) {
      problem = e instanceof Error ? e.message : String(e);
    }
    return { id, props: { platform: props.platform, ...(problem ? { problem } : {}) }, inputs: { platform: props.platform } };
  }

  async delete(): Promise<void> {
    // Nothing to remove: see the module comment.
  }

  private async converge(inputs: PlatformInputs): Promise<void> {
    const db = resolveConnection(this.configured);
    await checkApplier(db);
    await preparePlatform(db, inputs.platform);
  }
}

/** One provider object for every Platform resource: Pulumi serializes it once (per object). */
export const platformProvider = new PlatformProvider();

export class PlatformResource extends pulumi.dynamic.Resource {
  declare readonly platform: pulumi.Output<Platform>;
  declare readonly problem: pulumi.Output<string | undefined>;

  constructor(name: string, args: { platform: pulumi.Input<Platform> }, opts?: pulumi.CustomResourceOptions) {
    super(platformProvider, name, { problem: undefined, ...args }, opts, "ve", "Platform");
  }
}
