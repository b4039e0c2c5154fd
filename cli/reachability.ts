/**
 * The cluster half of `verify`: from the objects (built or read back from files),
 * proves with the reachability checker that no customer's pod reaches another
 * customer's pod on any probe, that shared agents and foreign pods reach no
 * customer, and that no agent reaches the forbidden addresses (metadata, private
 * ranges, the cluster's own ranges). Both ipBlock semantics (Calico's and Cilium's)
 * are checked, since the policies must hold under either CNI.
 */
import {
  allowedFlows, reachabilityMatrix, renderMatrix, scenarioEndpoints, STANDARD_PROBES, tenancyScenario, validateObjects,
  type Endpoint, type KubeObject, type ReachabilityMatrix, type TenancyConfig,
} from "../k8s";

export interface Breach {
  readonly from: string;
  readonly to: string;
  readonly probe: string;
  readonly why: string;
  readonly semantics: string;
}

export interface ReachabilityResult {
  readonly breaches: readonly Breach[];
  readonly problems: readonly string[];
  /** Customer pods and the shared agent only, for printing. */
  readonly matrix: ReachabilityMatrix;
  readonly pairs: number;
}

const name = (e: Endpoint): string => (e.kind === "pod" ? `${e.namespace}/${e.name}` : `external:${e.name}`);

export function checkTenancyReachability(objects: readonly KubeObject[], cfg: TenancyConfig): ReachabilityResult {
  const problems = validateObjects(objects).map((p) => `${p.object}${p.path}: ${p.message}`);
  const s = tenancyScenario(cfg);
  const endpoints = scenarioEndpoints(s);
  const owner = new Map<string, string>();
  for (const c of s.customerPods) for (const p of c.pods) owner.set(name(p), c.customerId);
  const agents = new Set([...owner.keys(), name(s.sharedAgent)]);
  const forbidden = new Set(s.forbidden.map(name));
  const strangers = new Set([name(s.sharedAgent), name(s.gatewayNeighbour), name(s.otherPod)]);

  const breaches: Breach[] = [];
  for (const ipBlockMatchesPodIPs of [true, false]) {
    const semantics = ipBlockMatchesPodIPs ? "ipBlock matches pod IPs (Calico)" : "ipBlock ignores pod IPs (Cilium)";
    const m = reachabilityMatrix(objects, endpoints, STANDARD_PROBES, { ipBlockMatchesPodIPs });
    for (const f of allowedFlows(m)) {
      const probe = `${f.probe.protocol}/${f.probe.port}`;
      const fromOwner = owner.get(f.from);
      const toOwner = owner.get(f.to);
      let why: string | undefined;
      if (fromOwner && toOwner && fromOwner !== toOwner) why = `customer ${fromOwner} reaches customer ${toOwner}`;
      else if (toOwner && strangers.has(f.from)) why = `${f.from} is not the customer's and not the gateway`;
      else if (agents.has(f.from) && forbidden.has(f.to)) why = `agents must not reach ${f.to}`;
      if (why) breaches.push({ from: f.from, to: f.to, probe, why, semantics });
    }
  }
  const shown = endpoints.filter((e) => agents.has(name(e)));
  const pairs = s.customerPods.length * (s.customerPods.length - 1);
  return { breaches, problems, matrix: reachabilityMatrix(objects, shown, STANDARD_PROBES, { ipBlockMatchesPodIPs: true }), pairs };
}

export function renderReachability(r: ReachabilityResult): string {
  const lines = [renderMatrix(r.matrix).trimEnd()];
  for (const p of r.problems) lines.push(`  ! invalid object: ${p}`);
  for (const b of r.breaches) lines.push(`  ! ${b.from} -> ${b.to} ${b.probe}: ${b.why} [${b.semantics}]`);
  return lines.join("\n");
}
