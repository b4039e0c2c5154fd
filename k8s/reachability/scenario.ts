/**
 * A representative world for a configuration: one new-label and one legacy-label
 * agent pod per customer, a shared agent, the gateway, DNS and kagent pods, and the
 * external addresses that matter (internet, metadata, database, API server, nodes,
 * private ranges). Used by the tests and to print the matrix.
 */
import { formatIp, mustParseCidr, type Cidr } from "../cidr";
import type { TenancyConfig } from "../config";
import { CUSTOMER_LABEL, SHARED_AGENT_LABEL } from "../names";
import type { Endpoint, ExternalEndpoint, PodEndpoint, Probe } from "./model";

export interface Scenario {
  customerPods: { customerId: string; pods: PodEndpoint[] }[];
  sharedAgent: PodEndpoint;
  gateway: PodEndpoint;
  /** Another pod of the gateway's namespace: must not reach agents. */
  gatewayNeighbour: PodEndpoint;
  dns: PodEndpoint;
  kagentController: PodEndpoint;
  /** An unrelated pod elsewhere in the cluster. */
  otherPod: PodEndpoint;
  internet: ExternalEndpoint[];
  database?: ExternalEndpoint;
  /** Addresses no agent may reach on any port. */
  forbidden: ExternalEndpoint[];
}

/** Ports the tests try between pods: agent, DNS, HTTPS, PostgreSQL, kagent, a high port. */
export const STANDARD_PROBES: Probe[] = [8080, 53, 443, 5432, 8083, 31337].flatMap((port) => [
  { port, protocol: "TCP" as const },
  { port, protocol: "UDP" as const },
]);

function nth(cidr: Cidr, n: number): string {
  return formatIp({ family: cidr.family, value: cidr.base + BigInt(n) });
}

function addresses(cidrs: readonly string[], n: number): string[] {
  const parsed = cidrs.map(mustParseCidr);
  const v4 = parsed.find((c) => c.family === 4);
  const v6 = parsed.find((c) => c.family === 6);
  return [v4, v6].filter((c): c is Cidr => c !== undefined).map((c) => nth(c, n));
}

const agentPorts = (port: number) => [{ name: "http", port, protocol: "TCP" as const }];

export function tenancyScenario(cfg: TenancyConfig): Scenario {
  const { cluster } = cfg;
  let next = 10;
  const podIps = (): string[] => addresses(cluster.podCidrs, next++);
  const pod = (namespace: string, name: string, labels: Record<string, string>, group?: string): PodEndpoint => ({
    kind: "pod", namespace, name, labels, ips: podIps(), ports: agentPorts(cluster.gateway.port), group,
  });
  const customerPods = cfg.customers.map((c, i) => {
    const pods = [pod(cluster.namespace, `c${i}-agent`, { [CUSTOMER_LABEL]: c.id, app: "kagent" }, c.id)];
    if (cluster.legacyCustomerLabel) {
      pods.push(pod(cluster.namespace, `c${i}-legacy`, { [cluster.legacyCustomerLabel]: c.id, customer_ve_id: `ve-${i}` }, c.id));
    }
    return { customerId: c.id, pods };
  });
  const dns = pod(cluster.dns.namespace, "dns", { ...cluster.dns.podLabels });
  dns.ports = [{ name: "dns", port: 53, protocol: "UDP" }, { name: "dns-tcp", port: 53, protocol: "TCP" }];
  const kagent = pod(cluster.kagentController.namespace, "kagent-controller", { ...cluster.kagentController.podLabels });
  kagent.ports = cluster.kagentController.ports.map((port, i) => ({ name: `p${i}`, port }));
  const external = (name: string, ips: string[]): ExternalEndpoint => ({ kind: "external", name, ips });
  const forbidden = [
    external("metadata", ["169.254.169.254"]),
    external("metadata-v6", ["fd00:ec2::254"]),
    external("eks-pod-identity", ["169.254.170.23"]),
    external("apiserver-service", addresses(cluster.serviceCidrs, 1)),
    external("private-10", ["10.1.2.3"]),
    external("private-172", ["172.16.5.5"]),
    external("private-192", ["192.168.1.1"]),
    external("cgnat", ["100.64.0.1"]),
    external("ula", ["fd00::1"]),
    external("loopback", ["127.0.0.1"]),
  ];
  if (cluster.nodeCidrs.length) forbidden.push(external("node", addresses(cluster.nodeCidrs, 5)));
  // A pod IP seen as an address (Calico semantics): the internet rule must not cover it.
  forbidden.push(external("pod-range", addresses(cluster.podCidrs, 7)));
  return {
    customerPods,
    sharedAgent: pod(cluster.namespace, "shared-agent", { [SHARED_AGENT_LABEL]: "true", app: "kagent" }, "shared"),
    gateway: pod(cluster.gateway.namespace, "gateway-proxy", { ...cluster.gateway.podLabels }),
    gatewayNeighbour: pod(cluster.gateway.namespace, "gateway-neighbour", { app: "something-else" }),
    dns,
    kagentController: kagent,
    otherPod: pod("default", "other", { app: "other" }),
    internet: [external("internet-v4", ["1.1.1.1"]), external("internet-v6", ["2606:4700::1111"])],
    database: cluster.database ? external("database", addresses(cluster.database.cidrs, 0)) : undefined,
    forbidden,
  };
}

/** Every endpoint of the scenario, customers first. */
export function scenarioEndpoints(s: Scenario): Endpoint[] {
  return [
    ...s.customerPods.flatMap((c) => c.pods), s.sharedAgent, s.gateway, s.gatewayNeighbour, s.dns, s.kagentController,
    s.otherPod, ...s.internet, ...(s.database ? [s.database] : []), ...s.forbidden,
  ];
}
