/**
 * Validation of built (or parsed) objects: the Kubernetes OpenAPI schema through
 * kubernetes-models, plus the API server's checks that the schema does not carry
 * (R12): CIDRs, except ⊂ cidr, port ranges, endPort, names, labels, peer shape.
 */
import { LimitRange, Namespace, ResourceQuota, ServiceAccount } from "kubernetes-models/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import {
  ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding,
} from "kubernetes-models/admissionregistration.k8s.io/v1";
import { cidrContainsCidr, parseCidr } from "./cidr";
import {
  dns1123LabelProblem, dns1123SubdomainProblem, labelKeyProblem, labelValueProblem, portNameProblem,
} from "./names";
import { isNetworkPolicy, refKey, refOf, type KubeObject, type LabelSelector, type NetworkPolicyPeer, type NetworkPolicyPort } from "./types";

export interface Problem {
  /** `Kind/namespace/name`. */
  object: string;
  /** JSON-pointer-like path inside the object. */
  path: string;
  message: string;
}

interface Validatable { validate(): void }
type ModelCtor = new (data: unknown) => Validatable;

/** `apiVersion kind` → model class and whether the kind is namespaced. */
const MODELS: Record<string, { ctor: ModelCtor; namespaced: boolean }> = {
  "v1 Namespace": { ctor: Namespace as unknown as ModelCtor, namespaced: false },
  "v1 ServiceAccount": { ctor: ServiceAccount as unknown as ModelCtor, namespaced: true },
  "v1 LimitRange": { ctor: LimitRange as unknown as ModelCtor, namespaced: true },
  "v1 ResourceQuota": { ctor: ResourceQuota as unknown as ModelCtor, namespaced: true },
  "networking.k8s.io/v1 NetworkPolicy": { ctor: NetworkPolicy as unknown as ModelCtor, namespaced: true },
  "admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy": { ctor: ValidatingAdmissionPolicy as unknown as ModelCtor, namespaced: false },
  "admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding": { ctor: ValidatingAdmissionPolicyBinding as unknown as ModelCtor, namespaced: false },
};

type Report = (path: string, message: string) => void;

export function validateObjects(objects: readonly KubeObject[]): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const o of objects) {
    const id = refKey(refOf(o));
    const report: Report = (path, message) => problems.push({ object: id, path, message });
    if (seen.has(id)) report("/metadata/name", "duplicate object");
    seen.add(id);
    const model = MODELS[`${o.apiVersion} ${o.kind}`];
    if (!model) {
      report("", `unsupported kind ${o.apiVersion} ${o.kind}`);
      continue;
    }
    try {
      new model.ctor(o).validate();
    } catch (e) {
      report("", `schema: ${e instanceof Error ? e.message : String(e)}`);
    }
    checkMetadata(o, model.namespaced, report);
    if (isNetworkPolicy(o)) checkNetworkPolicy(o.spec as unknown as Record<string, unknown>, report);
  }
  return problems;
}

function checkMetadata(o: KubeObject, namespaced: boolean, report: Report): void {
  const name = o.metadata?.name ?? "";
  const nameProblem = o.kind === "Namespace" ? dns1123LabelProblem(name) : dns1123SubdomainProblem(name);
  if (nameProblem) report("/metadata/name", `${JSON.stringify(name)} ${nameProblem}`);
  const ns = o.metadata?.namespace;
  if (namespaced) {
    if (ns === undefined) report("/metadata/namespace", "a namespaced object needs a namespace");
    else {
      const p = dns1123LabelProblem(ns);
      if (p) report("/metadata/namespace", `${JSON.stringify(ns)} ${p}`);
    }
  } else if (ns !== undefined) {
    report("/metadata/namespace", `${o.kind} is cluster-scoped and takes no namespace`);
  }
  for (const [k, v] of Object.entries(o.metadata?.labels ?? {})) {
    const kp = labelKeyProblem(k);
    if (kp) report(`/metadata/labels/${k}`, `label key ${kp}`);
    const vp = typeof v === "string" ? labelValueProblem(v) : "must be a string";
    if (vp) report(`/metadata/labels/${k}`, `label value ${JSON.stringify(v)} ${vp}`);
  }
  for (const k of Object.keys(o.metadata?.annotations ?? {})) {
    const kp = labelKeyProblem(k);
    if (kp) report(`/metadata/annotations/${k}`, `annotation key ${kp}`);
  }
}

function unknownKeys(value: object, allowed: readonly string[], path: string, report: Report): void {
  for (const k of Object.keys(value)) if (!allowed.includes(k)) report(`${path}/${k}`, "unknown field");
}

function checkSelector(sel: LabelSelector | undefined, path: string, report: Report): void {
  if (!sel) return;
  unknownKeys(sel, ["matchLabels", "matchExpressions"], path, report);
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    const p = labelKeyProblem(k) ?? labelValueProblem(v);
    if (p) report(`${path}/matchLabels/${k}`, p);
  }
  (sel.matchExpressions ?? []).forEach((e, i) => {
    const p = `${path}/matchExpressions/${i}`;
    const kp = labelKeyProblem(e.key);
    if (kp) report(`${p}/key`, kp);
    const values = e.values ?? [];
    if ((e.operator === "In" || e.operator === "NotIn") && values.length === 0) report(`${p}/values`, `${e.operator} needs at least one value`);
    if ((e.operator === "Exists" || e.operator === "DoesNotExist") && values.length > 0) report(`${p}/values`, `${e.operator} takes no values`);
    values.forEach((v, j) => {
      const vp = labelValueProblem(v);
      if (vp) report(`${p}/values/${j}`, vp);
    });
  });
}

function checkPeer(peer: NetworkPolicyPeer, path: string, report: Report): void {
  unknownKeys(peer, ["podSelector", "namespaceSelector", "ipBlock"], path, report);
  const hasSelector = peer.podSelector !== undefined || peer.namespaceSelector !== undefined;
  if (!hasSelector && !peer.ipBlock) report(path, "empty peer: give an ipBlock or a pod/namespace selector");
  if (hasSelector && peer.ipBlock) report(path, "a peer takes either an ipBlock or selectors, not both");
  checkSelector(peer.podSelector, `${path}/podSelector`, report);
  checkSelector(peer.namespaceSelector, `${path}/namespaceSelector`, report);
  if (!peer.ipBlock) return;
  unknownKeys(peer.ipBlock, ["cidr", "except"], `${path}/ipBlock`, report);
  const cidr = parseCidr(peer.ipBlock.cidr);
  if (!cidr) {
    report(`${path}/ipBlock/cidr`, `${JSON.stringify(peer.ipBlock.cidr)} is not a CIDR`);
    return;
  }
  if (!cidr.exact) report(`${path}/ipBlock/cidr`, `${cidr.text} has host bits set`);
  (peer.ipBlock.except ?? []).forEach((e, i) => {
    const ep = `${path}/ipBlock/except/${i}`;
    const c = parseCidr(e);
    if (!c) report(ep, `${JSON.stringify(e)} is not a CIDR`);
    else if (c.prefix <= cidr.prefix || !cidrContainsCidr(cidr, c)) {
      report(ep, `${e} must be a strict subset of ${cidr.text}`);
    }
  });
}

function checkPort(port: NetworkPolicyPort, path: string, report: Report): void {
  unknownKeys(port, ["protocol", "port", "endPort"], path, report);
  if (port.protocol !== undefined && !["TCP", "UDP", "SCTP"].includes(port.protocol)) report(`${path}/protocol`, `unknown protocol ${String(port.protocol)}`);
  const inRange = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 65535;
  if (typeof port.port === "number" && !inRange(port.port)) report(`${path}/port`, `${port.port} is not a port 1-65535`);
  if (typeof port.port === "string") {
    const p = portNameProblem(port.port);
    if (p) report(`${path}/port`, `named port ${JSON.stringify(port.port)} ${p}`);
  }
  if (port.endPort !== undefined) {
    if (typeof port.port !== "number") report(`${path}/endPort`, "endPort needs a numeric port");
    else if (port.endPort < port.port) report(`${path}/endPort`, `endPort ${port.endPort} is below port ${port.port}`);
    if (!inRange(port.endPort)) report(`${path}/endPort`, `${port.endPort} is not a port 1-65535`);
  }
}

function checkNetworkPolicy(spec: Record<string, unknown>, report: Report): void {
  unknownKeys(spec, ["podSelector", "policyTypes", "ingress", "egress"], "/spec", report);
  checkSelector(spec.podSelector as LabelSelector | undefined, "/spec/podSelector", report);
  const types = (spec.policyTypes ?? []) as string[];
  if (new Set(types).size !== types.length) report("/spec/policyTypes", "duplicate policy type");
  for (const dir of ["ingress", "egress"] as const) {
    const peersKey = dir === "ingress" ? "from" : "to";
    const rules = (spec[dir] ?? []) as Record<string, unknown>[];
    rules.forEach((rule, i) => {
      const rp = `/spec/${dir}/${i}`;
      unknownKeys(rule, [peersKey, "ports"], rp, report);
      ((rule[peersKey] ?? []) as NetworkPolicyPeer[]).forEach((peer, j) => checkPeer(peer, `${rp}/${peersKey}/${j}`, report));
      ((rule.ports ?? []) as NetworkPolicyPort[]).forEach((port, j) => checkPort(port, `${rp}/ports/${j}`, report));
    });
  }
}
