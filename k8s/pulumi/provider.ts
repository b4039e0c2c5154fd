/**
 * The explicit Kubernetes provider for the tenancy: a kubeconfig context, or a
 * directory to render manifests into instead of touching a cluster.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

export interface KubernetesProviderArgs {
  /** kubeconfig context; absent = the current context. */
  readonly context?: string;
  /** Write manifests here instead of applying them (`renderYamlToDirectory`). */
  readonly renderYamlTo?: string;
}

export function kubernetesProvider(name: string, args: KubernetesProviderArgs, opts?: pulumi.CustomResourceOptions): k8s.Provider {
  return new k8s.Provider(name, {
    ...(args.context ? { context: args.context } : {}),
    ...(args.renderYamlTo ? { renderYamlToDirectory: args.renderYamlTo } : {}),
    // Production already has agents-system and sa-<uuid> ServiceAccounts: they are
    // adopted by name, not refused as "already exists". Names here are explicit and
    // stable, so the rename-then-delete hazard this flag guards against does not arise.
    upsertExistingObjects: true,
  }, opts);
}
