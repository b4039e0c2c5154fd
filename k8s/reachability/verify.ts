/**
 * The isolation suite for the cluster: every property of "Cluster: tenant isolation"
 * as expected verdicts over a scenario, returning the ones the policies break.
 */
import type { TenancyConfig } from "../config";
import type { KubeObject } from "../types";
import { checkReachability, preparePolicies } from "./evaluate";
import type { Endpoint, PodEndpoint, Probe, ReachabilityOptions, Verdict } from "./model";
import { STANDARD_PROBES, tenancyScenario, type Scenario } from "./scenario";

export type IsolationCheck =
  | "cross-customer" | "same-customer" | "dns" | "gateway-ingress" | "gateway-only" | "internet"
  | "forbidden-address" | "database" | "kagent-controller" | "shared-agent" | "other-namespace";

export interface IsolationFinding {
  check: IsolationCheck;
  /** What should have happened. */
  expected: "allowed" | "denied";
  verdict: Verdict;
}

const tcp = (port: number): Probe => ({ port, protocol: "TCP" });

export function verifyTenancyIsolation(
  objects: readonly KubeObject[], cfg: TenancyConfig, opts: ReachabilityOptions, scenario: Scenario = tenancyScenario(cfg),
): IsolationFinding[] {
  const policies = preparePolicies(objects);
  const findings: IsolationFinding[] = [];
  const expect = (check: IsolationCheck, from: Endpoint, to: Endpoint, probes: readonly Probe[], allowed: boolean, toIp?: string): void => {
    for (const probe of probes) {
      const verdict = checkReachability(policies, from, to, probe, opts, toIp);
      if (verdict.allowed !== allowed) findings.push({ check, expected: allowed ? "allowed" : "denied", verdict });
    }
  };
  // Every address of a dual-stack destination, so an IPv6 hole cannot hide behind IPv4.
  const expectAll = (check: IsolationCheck, from: Endpoint, to: Endpoint, probes: readonly Probe[], allowed: boolean): void => {
    for (const ip of to.ips) expect(check, from, to, probes, allowed, ip);
  };
  const { cluster } = cfg;
  const customerAgents = scenario.customerPods.flatMap((c) => c.pods);
  const agents: PodEndpoint[] = [...customerAgents, scenario.sharedAgent];

  for (const a of scenario.customerPods) {
    for (const b of scenario.customerPods) {
      for (const from of a.pods) for (const to of b.pods) {
        if (from === to) continue;
        if (a === b) expectAll("same-customer", from, to, [tcp(cluster.gateway.port)], true);
        else expectAll("cross-customer", from, to, STANDARD_PROBES, false);
      }
    }
  }
  const nonGatewayProbes = STANDARD_PROBES.filter((p) => !(p.protocol === "TCP" && p.port === cluster.gateway.port));
  for (const agent of agents) {
    expect("dns", agent, scenario.dns, [{ port: 53, protocol: "UDP" }, tcp(53)], true);
    expect("gateway-ingress", scenario.gateway, agent, [tcp(cluster.gateway.port)], true);
    expectAll("gateway-only", scenario.gateway, agent, nonGatewayProbes, false);
    expectAll("gateway-only", scenario.gatewayNeighbour, agent, STANDARD_PROBES, false);
    for (const net of scenario.internet) expectAll("internet", agent, net, cluster.internetEgressPorts.map(tcp), true);
    for (const bad of scenario.forbidden) expectAll("forbidden-address", agent, bad, [...STANDARD_PROBES, tcp(80)], false);
    if (scenario.database && cluster.database) expect("database", agent, scenario.database, [tcp(cluster.database.port)], true);
    expect("kagent-controller", agent, scenario.kagentController, cluster.kagentController.ports.map(tcp), true);
    expectAll("other-namespace", agent, scenario.otherPod, STANDARD_PROBES, false);
    expectAll("other-namespace", scenario.otherPod, agent, STANDARD_PROBES, false);
  }
  for (const c of customerAgents) {
    expectAll("shared-agent", scenario.sharedAgent, c, STANDARD_PROBES, false);
    expectAll("shared-agent", c, scenario.sharedAgent, STANDARD_PROBES, false);
  }
  return findings;
}

export function describeFinding(f: IsolationFinding): string {
  const v = f.verdict;
  return `[${f.check}] ${v.from} -> ${v.to}${v.toIp ? ` (${v.toIp})` : ""} ${v.probe.protocol}/${v.probe.port}: expected ${f.expected}, got ${v.allowed ? "allowed" : "denied"} (${v.reason})`;
}
