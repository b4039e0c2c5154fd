import { describe, it, expect } from "vitest";
import { ConfigError, buildTenancyObjects, parseTenancyConfig } from "../../k8s";
import { rawConfig, uuid } from "./fixtures";

/** Parse and return the ConfigError, failing the test if parsing succeeds. */
function configError(raw: unknown): ConfigError {
  try {
    parseTenancyConfig(raw);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

function withCluster(patch: Record<string, unknown>): unknown {
  const raw = rawConfig(2);
  return { ...raw, cluster: { ...raw.cluster, ...patch } };
}

describe("parseTenancyConfig", () => {
  it("applies defaults", () => {
    const cfg = parseTenancyConfig(rawConfig(2));
    expect(cfg.cluster.namespace).toBe("agents-system");
    expect(cfg.cluster.internetEgressPorts).toEqual([443]);
    expect(cfg.cluster.dns).toEqual({ namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } });
    expect(cfg.cluster.kagentController.ports).toEqual([8083]);
    expect(cfg.cluster.legacyCustomerLabel).toBe("customer_id");
    expect(cfg.customers[0]).toEqual({ id: uuid(1), slug: "acme" });
  });

  it("rejects a duplicate customer id, naming both entries", () => {
    const raw = rawConfig(2);
    raw.customers.push({ id: uuid(1) });
    const e = configError(raw);
    expect(e.key).toBe("customers[2].id");
    expect(e.message).toContain("duplicates customers[0].id");
    expect(e.hint).toMatch(/once/);
  });

  it("rejects a malformed customer id, and suggests lower case when that is the only problem", () => {
    const raw = rawConfig(1);
    raw.customers.push({ id: "acme corp" });
    expect(configError(raw).key).toBe("customers[1].id");
    const upper = rawConfig(1);
    upper.customers[0] = { id: "ABCDEF01-0000-4000-8000-00000000000A" };
    expect(configError(upper).hint).toContain("abcdef01-0000-4000-8000-00000000000a");
  });

  it("rejects overlapping CIDRs naming the later key", () => {
    const e = configError(withCluster({ podCidrs: ["10.244.0.0/16", "10.244.128.0/17"] }));
    expect(e.key).toBe("cluster.podCidrs[1]");
    expect(e.message).toContain("overlaps cluster.podCidrs[0]");
    const svc = configError(withCluster({ serviceCidrs: ["10.244.5.0/24"] }));
    expect(svc.key).toBe("cluster.serviceCidrs[0]");
    const db = configError(withCluster({ database: { cidrs: ["10.244.3.3/32"], port: 5432 } }));
    expect(db.key).toBe("cluster.database.cidrs[0]");
  });

  it("rejects an unparsable CIDR and one with host bits, giving the canonical form", () => {
    expect(configError(withCluster({ podCidrs: ["10.244.0.0/16", "banana"] })).key).toBe("cluster.podCidrs[1]");
    const e = configError(withCluster({ nodeCidrs: ["192.168.1.7/20"] }));
    expect(e.key).toBe("cluster.nodeCidrs[0]");
    expect(e.hint).toContain("192.168.0.0/20");
  });

  it("rejects a label value Kubernetes would reject", () => {
    const e = configError(withCluster({ gateway: { podLabels: { "gateway.networking.k8s.io/gateway-name": "agent gateway!" } } }));
    expect(e.key).toBe("cluster.gateway.podLabels.gateway.networking.k8s.io/gateway-name");
    const slug = rawConfig(1);
    slug.customers[0] = { id: uuid(1), slug: "-acme-" };
    expect(configError(slug).key).toBe("customers[0].slug");
    expect(configError(withCluster({ dns: { podLabels: { "bad key!": "x" } } })).key).toBe("cluster.dns.podLabels.bad key!");
  });

  it("rejects an empty selector, which would match every pod", () => {
    expect(configError(withCluster({ gateway: { podLabels: {} } })).key).toBe("cluster.gateway.podLabels");
  });

  it("rejects bad ports and unknown keys", () => {
    expect(configError(withCluster({ internetEgressPorts: [443, 70000] })).key).toBe("cluster.internetEgressPorts[1]");
    expect(configError(withCluster({ internetEgressPorts: [443, 443] })).key).toBe("cluster.internetEgressPorts[1]");
    expect(configError(withCluster({ database: { cidrs: ["10.20.0.5/32"], port: "5432" } })).key).toBe("cluster.database.port");
    expect(configError(withCluster({ podCidr: ["10.0.0.0/8"] })).key).toBe("cluster.podCidr");
  });

  it("fails before anything is built", () => {
    let built = false;
    expect(() => {
      const cfg = parseTenancyConfig({ customers: [{ id: "x" }], cluster: {} });
      buildTenancyObjects(cfg);
      built = true;
    }).toThrow(ConfigError);
    expect(built).toBe(false);
  });
});
