/** Per customer: its ServiceAccount and the policies that join its pods to each other only. */
import type { ClusterConfig, CustomerConfig } from "../config";
import {
  CUSTOMER_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, SLUG_LABEL, customerPolicyName, serviceAccountName,
} from "../names";
import type { KubeObject, NetworkPolicyObject } from "../types";
import { networkPolicy } from "./network";
import { customerPeers, customerSelectors } from "./selectors";

export function serviceAccountObject(cluster: ClusterConfig, customer: CustomerConfig): KubeObject {
  const labels: Record<string, string> = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [CUSTOMER_LABEL]: customer.id };
  // Kept so whatever reads today's label keeps working after adoption.
  if (cluster.legacyCustomerLabel) labels[cluster.legacyCustomerLabel] = customer.id;
  if (customer.slug) labels[SLUG_LABEL] = customer.slug;
  const annotations: Record<string, string> = { ...(customer.workloadIdentityAnnotations ?? {}) };
  if (customer.slug) annotations[SLUG_LABEL] = customer.slug;
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: {
      name: serviceAccountName(customer.id),
      namespace: cluster.namespace,
      labels,
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    // Agents do not call the Kubernetes API; a mounted token would only be something to steal.
    automountServiceAccountToken: false,
  };
}

/**
 * One policy per way of recognising the customer's pods (new label, legacy label),
 * each allowing both directions to either form: both ends are isolated, so ingress
 * and egress must each allow it.
 */
export function customerPolicies(cluster: ClusterConfig, customer: CustomerConfig): NetworkPolicyObject[] {
  const peers = customerPeers(cluster, customer.id);
  return customerSelectors(cluster, customer.id).map((podSelector, i) => {
    const policy = networkPolicy(cluster.namespace, customerPolicyName(customer.id, i === 0 ? undefined : "legacy"), {
      podSelector,
      policyTypes: ["Ingress", "Egress"],
      // Separate copies: a consumer that mutates one rule must not change the other.
      ingress: [{ from: structuredClone(peers) }],
      egress: [{ to: structuredClone(peers) }],
    });
    policy.metadata.labels = { ...policy.metadata.labels, [CUSTOMER_LABEL]: customer.id };
    return policy;
  });
}

export function customerObjects(cluster: ClusterConfig, customer: CustomerConfig): KubeObject[] {
  return [serviceAccountObject(cluster, customer), ...customerPolicies(cluster, customer)];
}
