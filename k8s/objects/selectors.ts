/**
 * Which pods are agents. matchLabels cannot OR, so every "agent" rule is emitted once
 * per class: new-label customer pods, legacy-label customer pods (during the
 * take-over) and shared agents.
 */
import type { ClusterConfig } from "../config";
import { CUSTOMER_LABEL, SHARED_AGENT_LABEL } from "../names";
import type { LabelSelector, NetworkPolicyPeer } from "../types";

export interface AgentClass {
  /** Used in policy names. */
  name: "customers" | "legacy" | "shared";
  selector: LabelSelector;
}

export function agentClasses(cluster: ClusterConfig): AgentClass[] {
  const classes: AgentClass[] = [
    { name: "customers", selector: { matchExpressions: [{ key: CUSTOMER_LABEL, operator: "Exists" }] } },
  ];
  if (cluster.legacyCustomerLabel) {
    classes.push({ name: "legacy", selector: { matchExpressions: [{ key: cluster.legacyCustomerLabel, operator: "Exists" }] } });
  }
  classes.push({ name: "shared", selector: { matchLabels: { [SHARED_AGENT_LABEL]: "true" } } });
  return classes;
}

/** The pods of one customer, as OR-ed peers (new label, legacy label). */
export function customerPeers(cluster: ClusterConfig, customerId: string): NetworkPolicyPeer[] {
  return customerSelectors(cluster, customerId).map((podSelector) => ({ podSelector }));
}

export function customerSelectors(cluster: ClusterConfig, customerId: string): LabelSelector[] {
  const selectors: LabelSelector[] = [{ matchLabels: { [CUSTOMER_LABEL]: customerId } }];
  if (cluster.legacyCustomerLabel) selectors.push({ matchLabels: { [cluster.legacyCustomerLabel]: customerId } });
  return selectors;
}

/** A namespace ∧ pod AND-peer (one peer, both selectors), so only those pods of that namespace match. */
export function podsInNamespace(namespace: string, podLabels: Record<string, string>): NetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
    podSelector: { matchLabels: { ...podLabels } },
  };
}
