/** Shared test inputs: a stack's raw tenancy configuration and today's legacy policy. */
import { parseTenancyConfig, type KubeObject, type TenancyConfig } from "../../k8s";

export const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

export function rawConfig(customers: number, overrides: Record<string, unknown> = {}): { customers: unknown[]; cluster: Record<string, unknown> } {
  return {
    customers: Array.from({ length: customers }, (_, i) => ({ id: uuid(i + 1), ...(i === 0 ? { slug: "acme" } : {}) })),
    cluster: {
      podCidrs: ["10.244.0.0/16", "fd00:10:244::/56"],
      serviceCidrs: ["10.96.0.0/16", "fd00:10:96::/112"],
      // A public IPv6 node range (as on EKS IPv6) must be excluded explicitly from "internet".
      nodeCidrs: ["192.168.0.0/20", "2600:1f18:1234:5600::/56"],
      gateway: { namespace: "kgateway-system", podLabels: { "gateway.networking.k8s.io/gateway-name": "agent-gateway" }, port: 8080 },
      database: { cidrs: ["10.20.0.5/32"], port: 5432 },
      legacyNetworkPolicies: Array.from({ length: customers }, (_, i) => `agent-${i}-netpol`),
      ...overrides,
    },
  };
}

export const config = (customers: number, overrides: Record<string, unknown> = {}): TenancyConfig =>
  parseTenancyConfig(rawConfig(customers, overrides));

/**
 * Today's per-agent policy, as production-schema.md describes it: ingress from the
 * whole kgateway-system namespace, DNS to kube-system, egress to 0.0.0.0/0.
 */
export function legacyAgentPolicy(index: number, customerId: string): KubeObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: `agent-${index}-netpol`, namespace: "agents-system" },
    spec: {
      podSelector: { matchLabels: { customer_id: customerId, customer_ve_id: `ve-${index}` } },
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kgateway-system" } } }] }],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }],
          ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
        },
        { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] },
      ],
    },
  };
}

export function legacyPolicies(cfg: TenancyConfig): KubeObject[] {
  return cfg.customers.map((c, i) => legacyAgentPolicy(i, c.id));
}

export const BOTH_MODES = [{ ipBlockMatchesPodIPs: true }, { ipBlockMatchesPodIPs: false }] as const;
