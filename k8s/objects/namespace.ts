/** The agents' namespace and its namespace-wide ceilings. */
import type { ClusterConfig } from "../config";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../names";
import type { KubeObject } from "../types";

const managed = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };

export function namespaceObject(cluster: ClusterConfig): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: cluster.namespace,
      labels: {
        ...managed,
        // Enforce is checked on Pods only, so audit/warn also surface violations on Deployments.
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/audit-version": "latest",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/warn-version": "latest",
      },
    },
  };
}

export function limitRangeObject(cluster: ClusterConfig): KubeObject {
  return {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: { name: "agent-limits", namespace: cluster.namespace, labels: { ...managed } },
    spec: {
      limits: [
        {
          type: "Container",
          default: { cpu: "1", memory: "1Gi" },
          defaultRequest: { cpu: "100m", memory: "256Mi" },
          max: { cpu: "4", memory: "8Gi" },
        },
      ],
    },
  };
}

/**
 * The aggregate ceiling of the shared namespace. Quotas cannot be scoped by label, so
 * this is not per customer; NodePorts and LoadBalancers are forbidden outright because
 * either would expose an agent around the gateway.
 */
export function resourceQuotaObject(cluster: ClusterConfig): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: { name: "agents-quota", namespace: cluster.namespace, labels: { ...managed } },
    spec: {
      hard: {
        pods: "1000",
        "requests.cpu": "200",
        "requests.memory": "400Gi",
        "limits.cpu": "400",
        "limits.memory": "800Gi",
        "services.nodeports": "0",
        "services.loadbalancers": "0",
      },
    },
  };
}
