/**
 * NetworkPolicy semantics (networking.k8s.io/v1) over plain objects: policyTypes
 * defaulting, isolation per direction, AND inside a peer and OR across peers,
 * ipBlock with except, named ports and endPort, and both ends must allow.
 */
import { cidrContainsIp, parseCidr, parseIp, type Cidr, type IpAddress } from "../cidr";
import { NAMESPACE_NAME_LABEL } from "../names";
import {
  isNetworkPolicy, type IPBlock, type KubeObject, type LabelSelector, type NetworkPolicyPeer, type NetworkPolicyPort,
} from "../types";
import {
  endpointName, type Endpoint, type PodEndpoint, type Probe, type ReachabilityOptions, type SideVerdict, type Verdict,
} from "./model";

type Direction = "ingress" | "egress";

interface Rule { peers?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }

interface PreparedPolicy {
  id: string;
  namespace: string;
  podSelector: LabelSelector;
  types: Set<Direction>;
  ingress: Rule[];
  egress: Rule[];
}

export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const inValues = has && (e.values ?? []).includes(labels[e.key]);
    if (e.operator === "In" && !inValues) return false;
    if (e.operator === "NotIn" && inValues) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

/** R1 + R2: namespace defaulting and policyTypes defaulting (egress rules present ⇒ Egress, Ingress always). */
export function preparePolicies(objects: readonly KubeObject[]): PreparedPolicy[] {
  return objects.filter(isNetworkPolicy).map((p) => {
    const namespace = p.metadata.namespace ?? "default";
    const spec = p.spec;
    const types = new Set<Direction>();
    if (spec.policyTypes && spec.policyTypes.length > 0) {
      for (const t of spec.policyTypes) types.add(t === "Ingress" ? "ingress" : "egress");
    } else {
      types.add("ingress");
      if ((spec.egress ?? []).length > 0) types.add("egress");
    }
    return {
      id: `${namespace}/${p.metadata.name}`,
      namespace,
      podSelector: spec.podSelector ?? {},
      types,
      ingress: (spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports })),
      egress: (spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports })),
    };
  });
}

function namespaceLabels(pod: PodEndpoint): Record<string, string> {
  return { ...(pod.namespaceLabels ?? {}), [NAMESPACE_NAME_LABEL]: pod.namespace };
}

function peerMatches(policy: PreparedPolicy, peer: NetworkPolicyPeer, remote: Endpoint, ip: IpAddress | undefined, opts: ReachabilityOptions): boolean {
  const isPod = remote.kind === "pod" && !remote.hostNetwork;
  if (peer.ipBlock) {
    if (isPod && !opts.ipBlockMatchesPodIPs) return false;
    const block = parsedBlock(peer.ipBlock);
    if (!ip || !block.cidr || !cidrContainsIp(block.cidr, ip)) return false;
    return !block.except.some((c) => cidrContainsIp(c, ip));
  }
  // Selectors only ever match pods; external addresses and host-network pods need an ipBlock.
  if (remote.kind !== "pod" || remote.hostNetwork) return false;
  if (!peer.podSelector && !peer.namespaceSelector) return false; // an empty peer is invalid, so it matches nothing
  if (peer.namespaceSelector) {
    if (!selectorMatches(peer.namespaceSelector, namespaceLabels(remote))) return false;
  } else if (remote.namespace !== policy.namespace) {
    return false;
  }
  return selectorMatches(peer.podSelector, remote.labels);
}

const blockCache = new WeakMap<IPBlock, { cidr?: Cidr; except: Cidr[] }>();

/** Parsed once per ipBlock object; an unparsable cidr matches nothing (validateObjects reports it). */
function parsedBlock(block: IPBlock): { cidr?: Cidr; except: Cidr[] } {
  let parsed = blockCache.get(block);
  if (!parsed) {
    parsed = {
      cidr: parseCidr(block.cidr),
      except: (block.except ?? []).map(parseCidr).filter((c): c is Cidr => c !== undefined),
    };
    blockCache.set(block, parsed);
  }
  return parsed;
}

function portMatches(port: NetworkPolicyPort, probe: Probe, destination: Endpoint): boolean {
  if ((port.protocol ?? "TCP") !== probe.protocol) return false;
  if (port.port === undefined) return true;
  if (typeof port.port === "number") {
    return port.endPort !== undefined ? probe.port >= port.port && probe.port <= port.endPort : probe.port === port.port;
  }
  // A named port resolves on the destination pod only, with the same number and protocol.
  if (destination.kind !== "pod" || destination.hostNetwork) return false;
  return (destination.ports ?? []).some(
    (cp) => cp.name === port.port && cp.port === probe.port && (cp.protocol ?? "TCP") === probe.protocol,
  );
}

function ruleMatches(policy: PreparedPolicy, rule: Rule, remote: Endpoint, remoteIp: IpAddress | undefined, destination: Endpoint, probe: Probe, opts: ReachabilityOptions): boolean {
  const peersOk = !rule.peers || rule.peers.length === 0 || rule.peers.some((p) => peerMatches(policy, p, remote, remoteIp, opts));
  const portsOk = !rule.ports || rule.ports.length === 0 || rule.ports.some((p) => portMatches(p, probe, destination));
  return peersOk && portsOk;
}

/** Policies that isolate `pod` in `direction` (R3). */
export function isolatingPolicies(policies: readonly PreparedPolicy[], pod: Endpoint, direction: Direction): PreparedPolicy[] {
  if (pod.kind !== "pod" || pod.hostNetwork) return [];
  // Matrices ask the same question thousands of times; endpoints are treated as immutable.
  let perPolicySet = selectionCache.get(policies);
  if (!perPolicySet) selectionCache.set(policies, (perPolicySet = new WeakMap()));
  const key = direction;
  const cached = perPolicySet.get(pod)?.[key];
  if (cached) return cached;
  const result = policies.filter((p) => p.namespace === pod.namespace && p.types.has(direction) && selectorMatches(p.podSelector, pod.labels));
  perPolicySet.set(pod, { ...(perPolicySet.get(pod) ?? {}), [key]: result });
  return result;
}

const selectionCache = new WeakMap<readonly PreparedPolicy[], WeakMap<Endpoint, Partial<Record<Direction, PreparedPolicy[]>>>>();

function side(
  direction: Direction, policies: readonly PreparedPolicy[], self: Endpoint, remote: Endpoint, remoteIp: IpAddress | undefined,
  destination: Endpoint, probe: Probe, opts: ReachabilityOptions,
): SideVerdict {
  if (self.kind === "external") {
    return { direction, allowed: true, isolated: false, selectedBy: [], allowedBy: [], reason: "outside the cluster: no policy applies" };
  }
  if (self.hostNetwork) {
    return { direction, allowed: true, isolated: false, selectedBy: [], allowedBy: [], reason: "host-network pod: policies do not select it" };
  }
  const selecting = isolatingPolicies(policies, self, direction);
  if (selecting.length === 0) {
    return { direction, allowed: true, isolated: false, selectedBy: [], allowedBy: [], reason: `not isolated for ${direction}` };
  }
  const allowedBy: string[] = [];
  for (const p of selecting) {
    (direction === "ingress" ? p.ingress : p.egress).forEach((rule, i) => {
      if (ruleMatches(p, rule, remote, remoteIp, destination, probe, opts)) allowedBy.push(`${p.id} ${direction}[${i}]`);
    });
  }
  const selectedBy = selecting.map((p) => p.id);
  const allowed = allowedBy.length > 0;
  const reason = allowed
    ? `${direction} allowed by ${allowedBy.join(", ")}`
    : `${direction} denied: isolated by ${selectedBy.join(", ")} and no rule allows it`;
  return { direction, allowed, isolated: true, selectedBy, allowedBy, reason };
}

const ipCache = new WeakMap<Endpoint, (IpAddress | undefined)[]>();

function parsedIps(e: Endpoint): (IpAddress | undefined)[] {
  let ips = ipCache.get(e);
  if (!ips) ipCache.set(e, (ips = e.ips.map(parseIp)));
  return ips;
}

/** The destination address (first, or the one asked for) and a source address of the same family. */
function pickIps(from: Endpoint, to: Endpoint, toIp?: string): { src?: string; dst?: string; srcIp?: IpAddress; dstIp?: IpAddress } {
  const di = toIp !== undefined ? to.ips.indexOf(toIp) : 0;
  const dst = toIp ?? to.ips[0];
  const dstIp = di >= 0 ? parsedIps(to)[di] : dst !== undefined ? parseIp(dst) : undefined;
  const fromIps = parsedIps(from);
  let si = fromIps.findIndex((ip) => ip !== undefined && ip.family === dstIp?.family);
  if (si < 0) si = 0;
  return { src: from.ips[si], dst, srcIp: fromIps[si], dstIp };
}

/**
 * Can `from` open a connection to `to` on `probe`? Both ends must allow (R4);
 * replies are implied. `toIp` picks one of a dual-stack destination's addresses.
 */
export function checkReachability(
  objects: readonly KubeObject[] | readonly PreparedPolicy[], from: Endpoint, to: Endpoint, probe: Probe,
  opts: ReachabilityOptions, toIp?: string,
): Verdict {
  const policies = isPrepared(objects) ? objects : preparePolicies(objects);
  const { src, dst, srcIp, dstIp } = pickIps(from, to, toIp);
  const base = { from: endpointName(from), to: endpointName(to), probe, fromIp: src, toIp: dst };
  if (from.kind === "pod" && to.kind === "pod" && from.namespace === to.namespace && from.name === to.name) {
    const ok: SideVerdict = { direction: "egress", allowed: true, isolated: false, selectedBy: [], allowedBy: [], reason: "a pod can always reach itself" };
    return { ...base, allowed: true, egress: ok, ingress: { ...ok, direction: "ingress" }, reason: ok.reason };
  }
  const egress = side("egress", policies, from, to, dstIp, to, probe, opts);
  const ingress = side("ingress", policies, to, from, srcIp, to, probe, opts);
  const allowed = egress.allowed && ingress.allowed;
  return { ...base, allowed, egress, ingress, reason: `${egress.reason}; ${ingress.reason}` };
}

function isPrepared(x: readonly KubeObject[] | readonly PreparedPolicy[]): x is readonly PreparedPolicy[] {
  return x.length > 0 && (x[0] as { types?: unknown }).types instanceof Set;
}

export type { PreparedPolicy };
