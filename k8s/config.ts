/**
 * The tenancy half of the stack configuration (`customers`, `cluster`): one parser
 * that validates everything and applies defaults, so a bad value stops the run
 * before any object is built, with the key and the fix in the message.
 */
import { canonicalCidr, cidrsOverlap, parseCidr, type Cidr } from "./cidr";
import {
  DEFAULT_LEGACY_CUSTOMER_LABEL, UUID, dns1123LabelProblem, dns1123SubdomainProblem, labelKeyProblem, labelValueProblem,
} from "./names";

export interface CustomerConfig {
  /** The database's `customers.id` (lower-case uuid); names and labels derive from it. */
  id: string;
  /** Display name; goes into a label and annotation, never into a name. */
  slug?: string;
  /** e.g. `eks.amazonaws.com/role-arn`, `iam.gke.io/gcp-service-account` on the ServiceAccount. */
  workloadIdentityAnnotations?: Record<string, string>;
}

export interface PeerConfig {
  namespace: string;
  podLabels: Record<string, string>;
}

export interface ClusterConfig {
  /** Default `agents-system`. */
  namespace: string;
  podCidrs: string[];
  serviceCidrs: string[];
  nodeCidrs: string[];
  dns: PeerConfig;
  /** The Agent Gateway's proxy pods, and the agents' port it calls. */
  gateway: PeerConfig & { port: number };
  kagentController: PeerConfig & { ports: number[] };
  database?: { cidrs: string[]; port: number };
  internetEgressPorts: number[];
  /** Names of today's per-agent NetworkPolicies in the namespace, removed by the take-over. */
  legacyNetworkPolicies: string[];
  /** The label today's pods carry the customer id in; `null` once every pod is relabelled. */
  legacyCustomerLabel: string | null;
}

export interface TenancyConfig {
  customers: CustomerConfig[];
  cluster: ClusterConfig;
}

export class ConfigError extends Error {
  constructor(readonly key: string, problem: string, readonly hint: string) {
    super(`${key}: ${problem}. Fix: ${hint}`);
    this.name = "ConfigError";
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function obj(v: unknown, key: string, required: boolean): Obj | undefined {
  if (v === undefined || v === null) {
    if (required) throw new ConfigError(key, "is missing", `set ${key} to an object`);
    return undefined;
  }
  if (!isObj(v)) throw new ConfigError(key, `must be an object, got ${JSON.stringify(v)}`, `set ${key} to an object`);
  return v;
}

function arr(v: unknown, key: string, fallback?: unknown[]): unknown[] {
  if (v === undefined || v === null) {
    if (fallback) return fallback;
    throw new ConfigError(key, "is missing", `set ${key} to a list`);
  }
  if (!Array.isArray(v)) throw new ConfigError(key, `must be a list, got ${JSON.stringify(v)}`, `set ${key} to a list`);
  return v;
}

function str(v: unknown, key: string, fallback?: string): string {
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw new ConfigError(key, "is missing", `set ${key} to a string`);
  }
  if (typeof v !== "string") throw new ConfigError(key, `must be a string, got ${JSON.stringify(v)}`, `quote the value of ${key}`);
  return v;
}

function port(v: unknown, key: string, fallback?: number): number {
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw new ConfigError(key, "is missing", `set ${key} to a port number`);
  }
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 65535) {
    throw new ConfigError(key, `must be a port number 1-65535, got ${JSON.stringify(v)}`, "use an integer between 1 and 65535");
  }
  return v;
}

function labels(v: unknown, key: string, fallback?: Record<string, string>, allowEmpty = false): Record<string, string> {
  const o = obj(v, key, fallback === undefined);
  if (!o) return { ...(fallback ?? {}) };
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(o)) {
    const kp = labelKeyProblem(k);
    if (kp) throw new ConfigError(`${key}.${k}`, `is not a valid label key: ${kp}`, "use a key like example.com/name");
    const s = str(val, `${key}.${k}`);
    const vp = labelValueProblem(s);
    if (vp) throw new ConfigError(`${key}.${k}`, `${JSON.stringify(s)} is not a valid label value: ${vp}`, "use at most 63 characters [A-Za-z0-9-_.], alphanumeric at both ends");
    out[k] = s;
  }
  if (!allowEmpty && Object.keys(out).length === 0) {
    // An empty selector would match every pod of the namespace, not the intended ones.
    throw new ConfigError(key, "must name at least one label", "give the labels that select only these pods");
  }
  return out;
}

function namespaceName(v: unknown, key: string, fallback: string): string {
  const s = str(v, key, fallback);
  const p = dns1123LabelProblem(s);
  if (p) throw new ConfigError(key, `${JSON.stringify(s)} is not a valid namespace name: ${p}`, "use a DNS-1123 label such as agents-system");
  return s;
}

function cidrList(v: unknown, key: string, fallback?: string[]): { text: string[]; parsed: Cidr[] } {
  const items = arr(v, key, fallback);
  const parsed = items.map((item, i) => {
    const k = `${key}[${i}]`;
    const s = str(item, k);
    const c = parseCidr(s);
    if (!c) throw new ConfigError(k, `${JSON.stringify(s)} is not a CIDR`, "write an IPv4 or IPv6 network such as 10.0.0.0/16 or fd00:10::/56");
    if (!c.exact) throw new ConfigError(k, `${JSON.stringify(s)} has host bits set`, `write ${canonicalCidr(c)}`);
    return c;
  });
  return { text: parsed.map((c) => c.text), parsed };
}

function checkNoOverlap(groups: { key: string; cidrs: Cidr[] }[]): void {
  const all = groups.flatMap((g) => g.cidrs.map((c, i) => ({ key: `${g.key}[${i}]`, c })));
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      if (cidrsOverlap(all[i].c, all[j].c)) {
        throw new ConfigError(all[j].key, `${all[j].c.text} overlaps ${all[i].key} (${all[i].c.text})`, "give each range once and keep these ranges disjoint");
      }
    }
  }
}

function parseCustomer(raw: unknown, key: string): CustomerConfig {
  const o = obj(raw, key, true) as Obj;
  const id = str(o.id, `${key}.id`);
  if (!UUID.test(id)) {
    const hint = UUID.test(id.toLowerCase()) ? `write it in lower case: ${id.toLowerCase()}` : "use the customer's uuid from customers.id, e.g. 3f2b8c1e-5d4a-4e2f-9b1c-0a1b2c3d4e5f";
    throw new ConfigError(`${key}.id`, `${JSON.stringify(id)} is not a lower-case uuid`, hint);
  }
  const out: CustomerConfig = { id };
  if (o.slug !== undefined) {
    const slug = str(o.slug, `${key}.slug`);
    const p = labelValueProblem(slug);
    if (p || slug === "") throw new ConfigError(`${key}.slug`, `${JSON.stringify(slug)} is not a valid label value: ${p ?? "must not be empty"}`, "use at most 63 characters [A-Za-z0-9-_.], alphanumeric at both ends");
    out.slug = slug;
  }
  if (o.workloadIdentityAnnotations !== undefined) {
    const a = obj(o.workloadIdentityAnnotations, `${key}.workloadIdentityAnnotations`, true) as Obj;
    out.workloadIdentityAnnotations = {};
    for (const [k, v] of Object.entries(a)) {
      const kk = `${key}.workloadIdentityAnnotations.${k}`;
      const kp = labelKeyProblem(k);
      if (kp) throw new ConfigError(kk, `is not a valid annotation key: ${kp}`, "use a key such as eks.amazonaws.com/role-arn");
      out.workloadIdentityAnnotations[k] = str(v, kk);
    }
  }
  for (const k of Object.keys(o)) {
    if (!["id", "slug", "workloadIdentityAnnotations"].includes(k)) {
      throw new ConfigError(`${key}.${k}`, "is not a known key", "remove it (known: id, slug, workloadIdentityAnnotations)");
    }
  }
  return out;
}

export function parseTenancyConfig(raw: unknown): TenancyConfig {
  const root = obj(raw, "(root)", true) as Obj;
  const customers = arr(root.customers, "customers", []).map((c, i) => parseCustomer(c, `customers[${i}]`));
  const seen = new Map<string, number>();
  customers.forEach((c, i) => {
    const first = seen.get(c.id);
    if (first !== undefined) throw new ConfigError(`customers[${i}].id`, `${c.id} duplicates customers[${first}].id`, "list each customer once");
    seen.set(c.id, i);
  });

  const c = obj(root.cluster, "cluster", true) as Obj;
  const pod = cidrList(c.podCidrs, "cluster.podCidrs");
  const svc = cidrList(c.serviceCidrs, "cluster.serviceCidrs");
  const node = cidrList(c.nodeCidrs, "cluster.nodeCidrs", []);
  if (pod.parsed.length === 0) throw new ConfigError("cluster.podCidrs", "is empty", "list the cluster's pod ranges");
  if (svc.parsed.length === 0) throw new ConfigError("cluster.serviceCidrs", "is empty", "list the cluster's service ranges");
  // Pod and node ranges may legitimately coincide (AWS VPC CNI, Azure CNI give pods node-subnet IPs); pod vs service never.
  checkNoOverlap([{ key: "cluster.podCidrs", cidrs: pod.parsed }, { key: "cluster.serviceCidrs", cidrs: svc.parsed }]);
  checkNoOverlap([{ key: "cluster.nodeCidrs", cidrs: node.parsed }]);

  const dnsRaw = obj(c.dns, "cluster.dns", false) ?? {};
  const gwRaw = obj(c.gateway, "cluster.gateway", true) as Obj;
  const kaRaw = obj(c.kagentController, "cluster.kagentController", false) ?? {};
  const dbRaw = obj(c.database, "cluster.database", false);

  let database: ClusterConfig["database"];
  if (dbRaw) {
    const db = cidrList(dbRaw.cidrs, "cluster.database.cidrs");
    if (db.parsed.length === 0) throw new ConfigError("cluster.database.cidrs", "is empty", "list the database's address as a CIDR (a /32 for one host)");
    // A database range inside the pod range would let agents reach other customers' pods on that port.
    checkNoOverlap([{ key: "cluster.podCidrs", cidrs: pod.parsed }, { key: "cluster.serviceCidrs", cidrs: svc.parsed }, { key: "cluster.database.cidrs", cidrs: db.parsed }]);
    database = { cidrs: db.text, port: port(dbRaw.port, "cluster.database.port", 5432) };
  }

  const ports = (v: unknown, key: string, fallback: number[]): number[] => {
    const list = arr(v, key, fallback).map((p, i) => port(p, `${key}[${i}]`));
    const dup = list.findIndex((p, i) => list.indexOf(p) !== i);
    if (dup >= 0) throw new ConfigError(`${key}[${dup}]`, `port ${list[dup]} is listed twice`, "list each port once");
    return list;
  };

  const legacyNames = arr(c.legacyNetworkPolicies, "cluster.legacyNetworkPolicies", []).map((n, i) => {
    const k = `cluster.legacyNetworkPolicies[${i}]`;
    const s = str(n, k);
    const p = dns1123SubdomainProblem(s);
    if (p) throw new ConfigError(k, `${JSON.stringify(s)} is not a NetworkPolicy name: ${p}`, "copy the name from kubectl get networkpolicy -n <namespace>");
    return s;
  });

  let legacyCustomerLabel: string | null = DEFAULT_LEGACY_CUSTOMER_LABEL;
  if (c.legacyCustomerLabel === null) legacyCustomerLabel = null;
  else if (c.legacyCustomerLabel !== undefined) {
    legacyCustomerLabel = str(c.legacyCustomerLabel, "cluster.legacyCustomerLabel");
    const p = labelKeyProblem(legacyCustomerLabel);
    if (p) throw new ConfigError("cluster.legacyCustomerLabel", `is not a valid label key: ${p}`, "use the label today's pods carry, e.g. customer_id, or null");
  }

  const known = ["namespace", "podCidrs", "serviceCidrs", "nodeCidrs", "dns", "gateway", "kagentController", "database", "internetEgressPorts", "legacyNetworkPolicies", "legacyCustomerLabel"];
  for (const k of Object.keys(c)) {
    if (!known.includes(k)) throw new ConfigError(`cluster.${k}`, "is not a known key", `remove it (known: ${known.join(", ")})`);
  }

  return {
    customers,
    cluster: {
      namespace: namespaceName(c.namespace, "cluster.namespace", "agents-system"),
      podCidrs: pod.text,
      serviceCidrs: svc.text,
      nodeCidrs: node.text,
      dns: {
        namespace: namespaceName(dnsRaw.namespace, "cluster.dns.namespace", "kube-system"),
        podLabels: labels(dnsRaw.podLabels, "cluster.dns.podLabels", { "k8s-app": "kube-dns" }),
      },
      gateway: {
        namespace: namespaceName(gwRaw.namespace, "cluster.gateway.namespace", "kgateway-system"),
        podLabels: labels(gwRaw.podLabels, "cluster.gateway.podLabels"),
        port: port(gwRaw.port, "cluster.gateway.port", 8080),
      },
      kagentController: {
        namespace: namespaceName(kaRaw.namespace, "cluster.kagentController.namespace", "kagent"),
        podLabels: labels(kaRaw.podLabels, "cluster.kagentController.podLabels", {
          "app.kubernetes.io/name": "kagent",
          "app.kubernetes.io/component": "controller",
        }),
        ports: ports(kaRaw.ports, "cluster.kagentController.ports", [8083]),
      },
      database,
      internetEgressPorts: ports(c.internetEgressPorts, "cluster.internetEgressPorts", [443]),
      legacyNetworkPolicies: legacyNames,
      legacyCustomerLabel,
    },
  };
}
