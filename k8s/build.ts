/** Builds every tenancy object from the parsed configuration; pure, no Pulumi. */
import { admissionObjects } from "./admission";
import type { CustomerConfig, TenancyConfig } from "./config";
import { customerObjects } from "./objects/customer";
import { limitRangeObject, namespaceObject, resourceQuotaObject } from "./objects/namespace";
import { namespacePolicies, networkPolicy } from "./objects/network";
import { LABEL_PREFIX } from "./names";
import type { KubeObject, ObjectRef } from "./types";

export const DEFAULT_DENY_POLICY = "default-deny-all";
export const NEUTRALISED_ANNOTATION = `${LABEL_PREFIX}neutralised`;

/** Today's allow-everything policies and how the take-over disposes of them. */
export interface LegacyCleanup {
  /**
   * Same-named replacements that allow nothing (deny-only, a subset of default-deny),
   * so the program can take each legacy object over and empty it before deleting it.
   */
  neutralised: KubeObject[];
  /** Deleted in the last take-over phase. */
  remove: ObjectRef[];
}

/**
 * Everything the tenancy needs, grouped so the Pulumi program can parent and order it:
 * - `namespace`: `agents-system` with Pod Security labels; everything else depends on it.
 * - `namespaceScoped`: LimitRange, ResourceQuota and the namespace-wide NetworkPolicies
 *   (default deny, DNS, gateway ingress, shared-service egress per agent class).
 * - `customers`: per customer its ServiceAccount `sa-<uuid>` and its intra-customer policies.
 * - `admission`: the cluster-scoped ValidatingAdmissionPolicy and its binding.
 * - `legacyCleanup`: today's policies named in config; not part of the final state.
 * Use `allObjects` for the final state in a safe apply order, `planTakeover` for phases.
 */
export interface TenancyObjects {
  namespace: KubeObject;
  namespaceScoped: KubeObject[];
  customers: { customer: CustomerConfig; objects: KubeObject[] }[];
  admission: KubeObject[];
  legacyCleanup: LegacyCleanup;
}

export function buildTenancyObjects(cfg: TenancyConfig): TenancyObjects {
  const { cluster } = cfg;
  return {
    namespace: namespaceObject(cluster),
    namespaceScoped: [limitRangeObject(cluster), resourceQuotaObject(cluster), ...namespacePolicies(cluster)],
    customers: cfg.customers.map((customer) => ({ customer, objects: customerObjects(cluster, customer) })),
    admission: admissionObjects(cluster),
    legacyCleanup: {
      neutralised: cluster.legacyNetworkPolicies.map((name) => {
        const p = networkPolicy(cluster.namespace, name, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        p.metadata.annotations = { [NEUTRALISED_ANNOTATION]: "legacy policy emptied by the take-over; deleted next" };
        return p;
      }),
      remove: cluster.legacyNetworkPolicies.map((name) => ({
        apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", namespace: cluster.namespace, name,
      })),
    },
  };
}

/**
 * Apply rank: allow policies go before the default deny, so a pod never sits isolated
 * without its allowances while the objects converge (R14); admission goes last so it
 * cannot refuse the pods of agents still being relabelled.
 */
function rank(o: KubeObject): number {
  switch (o.kind) {
    case "Namespace": return 0;
    case "ServiceAccount": return 1;
    case "LimitRange":
    case "ResourceQuota": return 2;
    case "NetworkPolicy": return o.metadata.name === DEFAULT_DENY_POLICY ? 4 : 3;
    case "ValidatingAdmissionPolicy": return 5;
    case "ValidatingAdmissionPolicyBinding": return 6;
    default: return 7;
  }
}

/** The final state, in an order that is safe to apply one by one. */
export function allObjects(t: TenancyObjects): KubeObject[] {
  const objects = [t.namespace, ...t.namespaceScoped, ...t.customers.flatMap((c) => c.objects), ...t.admission];
  return objects.map((o, i) => ({ o, i })).sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i).map((x) => x.o);
}
