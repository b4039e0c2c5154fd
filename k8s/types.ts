/** Plain Kubernetes object shapes shared by the builders, the validator and the checker. */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
};

export type Protocol = "TCP" | "UDP" | "SCTP";

export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface IPBlock {
  cidr: string;
  except?: string[];
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IPBlock;
}

export interface NetworkPolicyPort {
  protocol?: Protocol;
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicyIngressRule {
  from?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

export interface NetworkPolicyEgressRule {
  to?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

export interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes?: ("Ingress" | "Egress")[];
  ingress?: NetworkPolicyIngressRule[];
  egress?: NetworkPolicyEgressRule[];
}

export type NetworkPolicyObject = KubeObject & {
  apiVersion: "networking.k8s.io/v1";
  kind: "NetworkPolicy";
  spec: NetworkPolicySpec;
};

export function isNetworkPolicy(o: KubeObject): o is NetworkPolicyObject {
  return o.apiVersion === "networking.k8s.io/v1" && o.kind === "NetworkPolicy" && typeof o.spec === "object" && o.spec !== null;
}

/** Identifies an object without its content (for deletions). */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export function refOf(o: KubeObject): ObjectRef {
  return { apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name };
}

export function refKey(r: ObjectRef): string {
  return `${r.kind}/${r.namespace ? `${r.namespace}/` : ""}${r.name}`;
}
