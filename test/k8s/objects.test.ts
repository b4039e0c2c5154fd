import { describe, it, expect } from "vitest";
import { parse } from "yaml";
import {
  CUSTOMER_LABEL, allObjects, buildTenancyObjects, renderYaml, safeName, validateObjects, type KubeObject,
} from "../../k8s";
import { config, uuid } from "./fixtures";

const policy = (spec: Record<string, unknown>, name = "p"): KubeObject => ({
  apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: "agents-system" }, spec,
});
const messages = (objects: KubeObject[]): string => validateObjects(objects).map((p) => `${p.path} ${p.message}`).join("\n");

describe("built objects", () => {
  for (const n of [0, 2, 50]) {
    it(`validate against the OpenAPI schema and the extra checks (${n} customers)`, () => {
      const objects = allObjects(buildTenancyObjects(config(n)));
      expect(validateObjects(objects)).toEqual([]);
      expect(objects.length).toBeGreaterThan(n * 3);
    });
  }

  it("puts the namespace first, allow policies before the default deny, admission last", () => {
    const objects = allObjects(buildTenancyObjects(config(2)));
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names[0]).toBe("Namespace/agents-system");
    expect(names.indexOf("NetworkPolicy/default-deny-all")).toBeGreaterThan(names.lastIndexOf("NetworkPolicy/allow-gateway-ingress-shared"));
    expect(names.indexOf("NetworkPolicy/default-deny-all")).toBeGreaterThan(names.indexOf(`NetworkPolicy/tenant-${uuid(2)}-legacy`));
    expect(names.slice(-2)).toEqual(["ValidatingAdmissionPolicy/ve-agent-tenancy", "ValidatingAdmissionPolicyBinding/ve-agent-tenancy"]);
  });

  it("gives each customer an adoptable sa-<uuid> without a token or rights, labelled and annotated", () => {
    const raw = config(1);
    raw.customers[0].workloadIdentityAnnotations = { "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/r" };
    const t = buildTenancyObjects(raw);
    const sa = t.customers[0].objects.find((o) => o.kind === "ServiceAccount")!;
    expect(sa.metadata.name).toBe(`sa-${uuid(1)}`);
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(sa.metadata.labels).toMatchObject({ [CUSTOMER_LABEL]: uuid(1), customer_id: uuid(1), "platform.ve.dev/customer-slug": "acme" });
    expect(sa.metadata.annotations).toMatchObject({ "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/r" });
    expect(allObjects(t).some((o) => o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding")).toBe(false);
  });

  it("labels the namespace for Pod Security restricted and forbids NodePorts and LoadBalancers", () => {
    const t = buildTenancyObjects(config(1));
    expect(t.namespace.metadata.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/warn": "restricted",
    });
    const quota = t.namespaceScoped.find((o) => o.kind === "ResourceQuota")!;
    expect(quota.spec).toMatchObject({ hard: { "services.nodeports": "0", "services.loadbalancers": "0" } });
    expect(t.namespaceScoped.some((o) => o.kind === "LimitRange")).toBe(true);
  });

  it("adds cluster ranges outside the fixed excepts to the internet rule", () => {
    const t = buildTenancyObjects(config(1, { podCidrs: ["34.118.0.0/16"] }));
    const egress = t.namespaceScoped.find((o) => o.metadata.name === "allow-services-egress-customers")!;
    const text = JSON.stringify(egress.spec);
    expect(text).toContain("34.118.0.0/16");
    expect(text).toContain("2600:1f18:1234:5600::/56");
    expect(text).not.toContain('"10.96.0.0/16"'); // already inside 10.0.0.0/8
  });

  it("renders multi-document YAML that parses back to the same objects", () => {
    const objects = allObjects(buildTenancyObjects(config(2)));
    const docs = renderYaml(objects).split(/^---\n/m).filter(Boolean).map((d) => parse(d) as KubeObject);
    expect(docs).toEqual(objects);
    expect(renderYaml(objects)).not.toMatch(/[&*]a\d/); // no YAML anchors or aliases
  });

  it("derives valid, unique names for any input", () => {
    expect(safeName(["sa", uuid(1)])).toBe(`sa-${uuid(1)}`);
    const odd = safeName(["tenant", "Ünïcode Name/with*stuff".repeat(5)]);
    expect(odd).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(odd.length).toBeLessThanOrEqual(63);
    expect(safeName(["a", "B"])).not.toBe(safeName(["a", "b!"]));
  });
});

describe("validateObjects catches what the schema misses", () => {
  it("reports schema errors from kubernetes-models", () => {
    expect(messages([policy({ policyTypes: ["Sideways"] })])).toMatch(/schema: .*podSelector/);
    const sa: KubeObject = { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "x", namespace: "n" }, automountServiceAccountToken: "no" };
    expect(messages([sa])).toContain("automountServiceAccountToken must be boolean");
  });

  it("bad CIDRs, except outside cidr, host bits", () => {
    const m = messages([policy({ podSelector: {}, egress: [{ to: [
      { ipBlock: { cidr: "not-a-cidr" } },
      { ipBlock: { cidr: "999.1.1.1/40" } },
      { ipBlock: { cidr: "10.0.0.0/16", except: ["10.1.0.0/24", "10.0.0.0/16", "::/0"] } },
      { ipBlock: { cidr: "10.0.0.1/16" } },
    ] }] })]);
    expect(m).toContain("/spec/egress/0/to/0/ipBlock/cidr \"not-a-cidr\" is not a CIDR");
    expect(m).toContain("/spec/egress/0/to/1/ipBlock/cidr");
    expect(m).toContain("/except/0 10.1.0.0/24 must be a strict subset");
    expect(m).toContain("/except/1 10.0.0.0/16 must be a strict subset");
    expect(m).toContain("/except/2 ::/0 must be a strict subset");
    expect(m).toContain("host bits");
  });

  it("ports, endPort and named ports", () => {
    const m = messages([policy({ podSelector: {}, ingress: [{ ports: [
      { port: 70000 }, { port: "http", endPort: 90 }, { port: 100, endPort: 90 }, { port: "Not_A_Name" }, { port: 80, endPort: 65536 },
    ] }] })]);
    expect(m).toContain("ports/0/port 70000 is not a port");
    expect(m).toContain("ports/1/endPort endPort needs a numeric port");
    expect(m).toContain("ports/2/endPort endPort 90 is below port 100");
    expect(m).toContain("ports/3/port named port");
    expect(m).toContain("ports/4/endPort 65536 is not a port");
  });

  it("peers with both ipBlock and selectors, empty peers, bad selectors, unknown fields", () => {
    const m = messages([policy({ podSelector: { matchExpressions: [{ key: "a", operator: "In" }] }, bogus: 1, ingress: [{ from: [
      {}, { ipBlock: { cidr: "10.0.0.0/8" }, podSelector: {} }, { podSelector: { matchLabels: { a: "bad value!" } } },
    ] }] })]);
    expect(m).toContain("/spec/bogus unknown field");
    expect(m).toContain("/spec/podSelector/matchExpressions/0/values In needs at least one value");
    expect(m).toContain("from/0 empty peer");
    expect(m).toContain("from/1 a peer takes either an ipBlock or selectors");
    expect(m).toContain("from/2/podSelector/matchLabels/a");
  });

  it("names, namespaces, labels and duplicates", () => {
    const bad: KubeObject = { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "Bad_Name!", namespace: "agents-system", labels: { "x/y/z": "v" } } };
    const clusterScoped: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "a", namespace: "b" } };
    const m = messages([bad, clusterScoped, policy({ podSelector: {} }), policy({ podSelector: {} })]);
    expect(m).toContain("/metadata/name \"Bad_Name!\"");
    expect(m).toContain("/metadata/labels/x/y/z label key");
    expect(m).toContain("cluster-scoped");
    expect(m).toContain("duplicate object");
    expect(messages([{ apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "n" } }])).toContain("unsupported kind");
  });
});
