/** Namespace-wide NetworkPolicies: default deny, DNS, gateway ingress, shared-service egress. */
import { canonicalCidr, cidrContainsCidr, mustParseCidr } from "../cidr";
import type { ClusterConfig } from "../config";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../names";
import type { LabelSelector, NetworkPolicyEgressRule, NetworkPolicyObject, NetworkPolicySpec } from "../types";
import { agentClasses, podsInNamespace } from "./selectors";

/**
 * Never "the internet": unspecified, RFC 1918, CGNAT, loopback, link-local (cloud
 * metadata 169.254.169.254, EKS pod identity 169.254.170.23), multicast, reserved.
 */
export const NON_INTERNET_V4 = [
  "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
  "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4",
];

/**
 * The IPv6 equivalents: unspecified, loopback, IPv4-mapped and NAT64 (both can lead
 * back to private IPv4 targets), ULA (incl. EKS metadata fd00:ec2::254), link-local,
 * multicast.
 */
export const NON_INTERNET_V6 = [
  "::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48",
  "fc00::/7", "fe80::/10", "ff00::/8",
];

export function networkPolicy(namespace: string, name: string, spec: NetworkPolicySpec): NetworkPolicyObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
    spec,
  };
}

/** The fixed excepts plus any cluster range they do not already cover (e.g. privately used public IPs). */
export function internetExcepts(cluster: ClusterConfig, family: 4 | 6): string[] {
  const fixed = (family === 4 ? NON_INTERNET_V4 : NON_INTERNET_V6).map(mustParseCidr);
  const cluster_ = [...cluster.podCidrs, ...cluster.serviceCidrs, ...cluster.nodeCidrs]
    .map(mustParseCidr)
    .filter((c) => c.family === family);
  const extra: string[] = [];
  for (const c of cluster_) {
    if (!fixed.some((f) => cidrContainsCidr(f, c)) && !extra.includes(canonicalCidr(c))) extra.push(canonicalCidr(c));
  }
  return [...fixed.map((f) => f.text), ...extra];
}

function egressRules(cluster: ClusterConfig): NetworkPolicyEgressRule[] {
  const rules: NetworkPolicyEgressRule[] = [
    {
      to: [
        { ipBlock: { cidr: "0.0.0.0/0", except: internetExcepts(cluster, 4) } },
        { ipBlock: { cidr: "::/0", except: internetExcepts(cluster, 6) } },
      ],
      ports: cluster.internetEgressPorts.map((port) => ({ protocol: "TCP", port })),
    },
    {
      to: [podsInNamespace(cluster.kagentController.namespace, cluster.kagentController.podLabels)],
      ports: cluster.kagentController.ports.map((port) => ({ protocol: "TCP", port })),
    },
  ];
  if (cluster.database) {
    rules.push({
      to: cluster.database.cidrs.map((cidr) => ({ ipBlock: { cidr } })),
      ports: [{ protocol: "TCP", port: cluster.database.port }],
    });
  }
  return rules;
}

export function namespacePolicies(cluster: ClusterConfig): NetworkPolicyObject[] {
  const ns = cluster.namespace;
  const all: LabelSelector = {};
  const policies: NetworkPolicyObject[] = [
    // Isolates every pod of the namespace in both directions, including pods nobody labelled.
    networkPolicy(ns, "default-deny-all", { podSelector: all, policyTypes: ["Ingress", "Egress"] }),
    networkPolicy(ns, "allow-dns-egress", {
      podSelector: all,
      policyTypes: ["Egress"],
      egress: [
        {
          to: [podsInNamespace(cluster.dns.namespace, cluster.dns.podLabels)],
          ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
        },
      ],
    }),
  ];
  for (const cls of agentClasses(cluster)) {
    policies.push(
      networkPolicy(ns, `allow-gateway-ingress-${cls.name}`, {
        podSelector: cls.selector,
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [podsInNamespace(cluster.gateway.namespace, cluster.gateway.podLabels)],
            ports: [{ protocol: "TCP", port: cluster.gateway.port }],
          },
        ],
      }),
      // policyTypes is explicit: without it an egress-only policy would isolate ingress too (R2).
      networkPolicy(ns, `allow-services-egress-${cls.name}`, {
        podSelector: cls.selector,
        policyTypes: ["Egress"],
        egress: egressRules(cluster),
      }),
    );
  }
  return policies;
}
