import { describe, it, expect } from "vitest";
import { checkReachability, type Endpoint, type KubeObject, type PodEndpoint, type Probe } from "../../k8s";

const np = (namespace: string, name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec,
});
const pod = (namespace: string, name: string, labels: Record<string, string>, ip: string, extra: Partial<PodEndpoint> = {}): PodEndpoint => ({
  kind: "pod", namespace, name, labels, ips: [ip], namespaceLabels: { team: namespace === "x" ? "red" : "blue" }, ...extra,
});
const xa = pod("x", "a", { pod: "a" }, "10.0.0.1", {
  ports: [{ name: "serve-80-tcp", port: 80 }, { name: "serve-81-udp", port: 81, protocol: "UDP" }],
});
const xb = pod("x", "b", { pod: "b" }, "10.0.0.2");
const ya = pod("y", "a", { pod: "a" }, "10.0.1.1");
const yb = pod("y", "b", { pod: "b" }, "10.0.1.2");
const outside: Endpoint = { kind: "external", name: "outside", ips: ["8.8.8.8"] };
const TCP80: Probe = { port: 80, protocol: "TCP" };
const UDP80: Probe = { port: 80, protocol: "UDP" };
const calico = { ipBlockMatchesPodIPs: true };
const cilium = { ipBlockMatchesPodIPs: false };
const can = (objects: KubeObject[], from: Endpoint, to: Endpoint, probe: Probe = TCP80, opts = calico): boolean =>
  checkReachability(objects, from, to, probe, opts).allowed;

describe("checkReachability: NetworkPolicy semantics", () => {
  it("allows everything without policies, and a pod always reaches itself", () => {
    expect(can([], xa, yb, UDP80)).toBe(true);
    const deny = [np("x", "deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] })];
    expect(can(deny, xa, xa)).toBe(true);
    expect(can(deny, xa, xb)).toBe(false);
  });

  it("R2: egress rules without policyTypes isolate ingress too", () => {
    const p = [np("x", "egress-only-by-accident", { podSelector: { matchLabels: { pod: "a" } }, egress: [{}] })];
    expect(can(p, xa, outside)).toBe(true); // egress allowed by the rule
    expect(can(p, xb, xa)).toBe(false); // but ingress is now isolated with no rule
    const v = checkReachability(p, xb, xa, TCP80, calico);
    expect(v.ingress.selectedBy).toEqual(["x/egress-only-by-accident"]);
    expect(v.reason).toContain("ingress denied");
    // Said explicitly, the same rules leave ingress open.
    const explicit = [np("x", "egress", { podSelector: { matchLabels: { pod: "a" } }, policyTypes: ["Egress"], egress: [{}] })];
    expect(can(explicit, xb, xa)).toBe(true);
  });

  it("R2: an empty egress list without policyTypes does not isolate egress", () => {
    const p = [np("x", "p", { podSelector: {}, egress: [] })];
    expect(can(p, xa, outside)).toBe(true);
    expect(can(p, ya, xa)).toBe(false);
  });

  it("R3/R4: both sides must allow", () => {
    const egressOnly = [np("x", "e", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: {} }] }] }),
      np("x", "i", { podSelector: { matchLabels: { pod: "b" } }, policyTypes: ["Ingress"] })];
    expect(can(egressOnly, xa, xb)).toBe(false);
    const v = checkReachability(egressOnly, xa, xb, TCP80, calico);
    expect(v.egress.allowed).toBe(true);
    expect(v.ingress.allowed).toBe(false);
    expect(can(egressOnly, xb, xa)).toBe(true);
  });

  it("R6: namespace AND pod selector in one peer versus two peers (OR)", () => {
    const and = [np("y", "and", { podSelector: { matchLabels: { pod: "b" } }, policyTypes: ["Ingress"],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "red" } }, podSelector: { matchLabels: { pod: "a" } } }] }] })];
    const or = [np("y", "or", { podSelector: { matchLabels: { pod: "b" } }, policyTypes: ["Ingress"],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "red" } } }, { podSelector: { matchLabels: { pod: "a" } } }] }] })];
    expect(can(and, xa, yb)).toBe(true);
    expect(can(and, xb, yb)).toBe(false); // right namespace, wrong pod
    expect(can(and, ya, yb)).toBe(false); // right pod, wrong namespace
    expect(can(or, xb, yb)).toBe(true); // any pod of a red namespace
    expect(can(or, ya, yb)).toBe(true); // pod a of the policy's own namespace
  });

  it("R6: a podSelector-only peer means the policy's namespace; namespaceSelector {} means every namespace", () => {
    const own = [np("y", "own", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: { matchLabels: { pod: "a" } } }] }] })];
    expect(can(own, xa, yb)).toBe(false);
    expect(can(own, ya, yb)).toBe(true);
    const anyNs = [np("y", "any", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: {} }] }] })];
    expect(can(anyNs, xa, yb)).toBe(true);
    expect(can(anyNs, outside, yb)).toBe(false); // selectors never match external addresses
  });

  it("R8: matchExpressions NotIn matches a missing key, DoesNotExist", () => {
    const p = [np("x", "p", { podSelector: { matchExpressions: [{ key: "role", operator: "NotIn", values: ["db"] }] }, policyTypes: ["Ingress"] })];
    expect(can(p, ya, xa)).toBe(false); // xa has no role label: selected, isolated
    const q = [np("x", "q", { podSelector: { matchExpressions: [{ key: "pod", operator: "DoesNotExist" }] }, policyTypes: ["Ingress"] })];
    expect(can(q, ya, xa)).toBe(true);
  });

  it("R7: a second policy re-allows what an except removed (policies are a union)", () => {
    const except = np("x", "except", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["8.8.8.0/24"] } }] }] });
    expect(can([except], xa, outside)).toBe(false);
    expect(can([except], xa, { kind: "external", name: "o2", ips: ["8.8.9.9"] })).toBe(true);
    const reopen = np("x", "reopen", { podSelector: { matchLabels: { pod: "a" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "8.8.8.8/32" } }] }] });
    const v = checkReachability([except, reopen], xa, outside, TCP80, calico);
    expect(v.allowed).toBe(true);
    expect(v.egress.allowedBy).toEqual(["x/reopen egress[0]"]);
    expect(can([except, reopen], xb, outside)).toBe(false);
  });

  it("R7: IPv4 0.0.0.0/0 does not cover IPv6", () => {
    const p = [np("x", "p", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] })];
    expect(can(p, xa, { kind: "external", name: "v6", ips: ["2606:4700::1111"] })).toBe(false);
  });

  it("R7: ipBlock against pod IPs depends on the mode", () => {
    const p = [np("x", "p", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "10.0.1.0/24" } }] }] })];
    expect(can(p, xa, ya, TCP80, calico)).toBe(true);
    expect(can(p, xa, ya, TCP80, cilium)).toBe(false);
    // host-network pods are node addresses: ipBlock applies in both modes and selectors do not.
    const hostPod = pod("y", "node-agent", { pod: "a" }, "10.0.1.9", { hostNetwork: true });
    expect(can(p, xa, hostPod, TCP80, cilium)).toBe(true);
    const bySelector = [np("x", "s", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ namespaceSelector: {} }] }] })];
    expect(can(bySelector, xa, hostPod)).toBe(false);
  });

  it("R9: TCP by default, protocol must match", () => {
    const p = [np("x", "p", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: 80 }] }] })];
    expect(can(p, ya, xa, TCP80)).toBe(true);
    expect(can(p, ya, xa, UDP80)).toBe(false);
    expect(can(p, ya, xa, { port: 81, protocol: "TCP" })).toBe(false);
  });

  it("R9: endPort is an inclusive range", () => {
    const p = [np("x", "p", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: 8000, endPort: 8080 }] }] })];
    expect(can(p, ya, xa, { port: 8000, protocol: "TCP" })).toBe(true);
    expect(can(p, ya, xa, { port: 8080, protocol: "TCP" })).toBe(true);
    expect(can(p, ya, xa, { port: 8081, protocol: "TCP" })).toBe(false);
    expect(can(p, ya, xa, { port: 7999, protocol: "TCP" })).toBe(false);
  });

  it("R9: named ports resolve on the destination pod, with its protocol", () => {
    const p = [np("x", "p", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: "serve-80-tcp" }, { port: "serve-81-udp", protocol: "TCP" }] }] })];
    expect(can(p, ya, xa, TCP80)).toBe(true);
    expect(can(p, ya, xa, { port: 81, protocol: "TCP" })).toBe(false); // the named port is UDP: wrong protocol, no match
    expect(can(p, ya, xa, { port: 81, protocol: "UDP" })).toBe(false); // the rule says TCP
    expect(can(p, ya, xb, TCP80)).toBe(false); // xb has no such port name
    const egress = [np("x", "e", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ port: "serve-80-tcp" }] }] })];
    expect(can(egress, xb, outside, TCP80)).toBe(false); // a named port never matches an external destination
    expect(can(egress, xb, xa, TCP80)).toBe(true);
  });

  it("R5: peers AND ports within a rule, OR across rules", () => {
    const p = [np("x", "p", { podSelector: { matchLabels: { pod: "a" } }, policyTypes: ["Ingress"], ingress: [
      { from: [{ podSelector: { matchLabels: { pod: "b" } } }], ports: [{ port: 80 }] },
      { from: [{ namespaceSelector: { matchLabels: { team: "blue" } } }], ports: [{ port: 81, protocol: "UDP" }] },
    ] })];
    expect(can(p, xb, xa, TCP80)).toBe(true);
    expect(can(p, xb, xa, { port: 81, protocol: "UDP" })).toBe(false);
    expect(can(p, ya, xa, { port: 81, protocol: "UDP" })).toBe(true);
    expect(can(p, ya, xa, TCP80)).toBe(false);
  });

  it("R3: ingress: [{}] allows all; ingress absent with Ingress type denies all", () => {
    expect(can([np("x", "all", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{}] })], outside, xa)).toBe(true);
    expect(can([np("x", "none", { podSelector: {}, policyTypes: ["Ingress"] })], outside, xa)).toBe(false);
    // an external source is judged on the destination's ingress only
    expect(can([np("x", "ip", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ ipBlock: { cidr: "8.8.0.0/16" } }] }] })], outside, xa)).toBe(true);
  });
});
