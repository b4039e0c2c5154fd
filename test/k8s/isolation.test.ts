import { describe, it, expect } from "vitest";
import {
  STANDARD_PROBES, allObjects, customerMatrix, buildTenancyObjects, checkReachability, describeFinding, reachabilityMatrix, renderMatrix,
  scenarioEndpoints, tenancyScenario, verifyTenancyIsolation, type KubeObject,
} from "../../k8s";
import { BOTH_MODES, config, legacyPolicies } from "./fixtures";

describe("new policies isolate customers", () => {
  for (const n of [2, 3, 50]) {
    for (const mode of BOTH_MODES) {
      it(`${n} customers, ipBlockMatchesPodIPs=${mode.ipBlockMatchesPodIPs}: every isolation property holds`, () => {
        const cfg = config(n);
        const objects = allObjects(buildTenancyObjects(cfg));
        const findings = verifyTenancyIsolation(objects, cfg, mode);
        expect(findings.map(describeFinding)).toEqual([]);
      });
    }
  }

  it("the suite really exercises allowed and denied flows (a sanity count)", () => {
    const cfg = config(3);
    const objects = allObjects(buildTenancyObjects(cfg));
    const s = tenancyScenario(cfg);
    const [a, b] = [s.customerPods[0].pods[0], s.customerPods[1].pods[1]];
    const cross = checkReachability(objects, a, b, { port: 8080, protocol: "TCP" }, BOTH_MODES[0]);
    expect(cross.allowed).toBe(false);
    expect(cross.egress.allowed).toBe(false);
    expect(cross.ingress.allowed).toBe(false);
    const same = checkReachability(objects, a, s.customerPods[0].pods[1], { port: 31337, protocol: "UDP" }, BOTH_MODES[0]);
    expect(same.allowed).toBe(true);
    expect(same.egress.allowedBy[0]).toMatch(/tenant-.* egress\[0\]/);
  });

  it("the legacy label alone keeps a pod in its tenant (new↔legacy in both directions)", () => {
    const cfg = config(2);
    const objects = allObjects(buildTenancyObjects(cfg));
    const s = tenancyScenario(cfg);
    const [fresh, legacy] = s.customerPods[0].pods;
    expect(legacy.labels).toEqual({ customer_id: cfg.customers[0].id, customer_ve_id: "ve-0" });
    for (const [from, to] of [[fresh, legacy], [legacy, fresh]]) {
      expect(checkReachability(objects, from, to, { port: 8080, protocol: "TCP" }, BOTH_MODES[1]).allowed).toBe(true);
    }
    // Without the legacy label support, the legacy pod is cut off from its own tenant and the gateway.
    const noLegacy = config(2, { legacyCustomerLabel: null });
    const stripped = allObjects(buildTenancyObjects(noLegacy));
    expect(checkReachability(stripped, fresh, legacy, { port: 8080, protocol: "TCP" }, BOTH_MODES[1]).allowed).toBe(false);
    expect(checkReachability(stripped, s.gateway, legacy, { port: 8080, protocol: "TCP" }, BOTH_MODES[1]).allowed).toBe(false);
  });

  it("prints the customer-by-customer matrix", () => {
    const cfg = config(2);
    const s = tenancyScenario(cfg);
    const endpoints = [...s.customerPods.flatMap((c) => c.pods), s.sharedAgent, s.gateway, s.dns, s.internet[0], s.forbidden[0]];
    const m = reachabilityMatrix(allObjects(buildTenancyObjects(cfg)), endpoints, STANDARD_PROBES, BOTH_MODES[0]);
    const text = renderMatrix(m);
    const rows = text.split("\n");
    // customer 0's two pods reach each other on every probe, never customer 1's
    expect(rows[1].split(/\s+/).slice(1, 5)).toEqual(["=", "all", ".", "."]);
    expect(rows[3].split(/\s+/).slice(1, 5)).toEqual([".", ".", "=", "all"]);
    // the gateway (row 6) reaches every agent on 8080 only
    expect(rows[6].split(/\s+/).slice(1, 6)).toEqual(["T8080", "T8080", "T8080", "T8080", "T8080"]);
    expect(text).toContain("agents-system/c0-agent");
    expect(text).toContain("external:metadata");
  });

  it("prints one row per customer, own pods together, others unreachable", () => {
    const cfg = config(3);
    const m = customerMatrix(allObjects(buildTenancyObjects(cfg)), cfg, BOTH_MODES[1]);
    expect(m.endpoints.slice(0, 3)).toEqual([`customer ${cfg.customers[0].id} (acme)`, `customer ${cfg.customers[1].id}`, `customer ${cfg.customers[2].id}`]);
    const rows = renderMatrix(m).split("\n");
    expect(rows[1].split(/\s+/).slice(1, 4)).toEqual(["all", ".", "."]);
    expect(rows[2].split(/\s+/).slice(1, 4)).toEqual([".", "all", "."]);
    expect(rows[4].split(/\s+/).slice(1, 4)).toEqual([".", ".", "."]); // the shared agent reaches no customer
    const legacyLeft = customerMatrix([...legacyPolicies(cfg)], cfg, BOTH_MODES[0]);
    expect(legacyLeft.allowed[0][legacyLeft.endpoints.indexOf("external:metadata")].length).toBeGreaterThan(0);
  });
});

describe("the checker shows the leaks of today's and half-migrated states", () => {
  for (const mode of BOTH_MODES) {
    it(`today's per-agent policies leak (ipBlockMatchesPodIPs=${mode.ipBlockMatchesPodIPs})`, () => {
      const cfg = config(3);
      const scenario = tenancyScenario(cfg);
      // Today only legacy-labelled pods exist.
      for (const c of scenario.customerPods) c.pods = c.pods.filter((p) => "customer_id" in p.labels);
      scenario.sharedAgent.labels = { customer_id: "none", customer_ve_id: "shared" };
      const findings = verifyTenancyIsolation(legacyPolicies(cfg), cfg, mode, scenario);
      const checks = new Set(findings.map((f) => f.check));
      expect(checks).toContain("forbidden-address");
      expect(checks).toContain("gateway-only"); // any pod of kgateway-system, on any port
      const metadata = findings.find((f) => f.check === "forbidden-address" && f.verdict.to === "external:metadata");
      expect(metadata?.verdict.egress.allowedBy[0]).toMatch(/agent-\d-netpol egress\[1\]/);
      if (mode.ipBlockMatchesPodIPs) expect(checks).toContain("other-namespace");
    });
  }

  it("a legacy allow-all left beside the new policies re-opens metadata and other tenants", () => {
    const cfg = config(3);
    const objects = allObjects(buildTenancyObjects(cfg));
    const leftover: KubeObject[] = legacyPolicies(cfg).slice(0, 1);
    const withLeftover = [...objects, ...leftover];
    const findings = verifyTenancyIsolation(withLeftover, cfg, BOTH_MODES[0]);
    const leaks = findings.filter((f) => f.verdict.from.endsWith("c0-legacy"));
    expect(leaks.some((f) => f.check === "forbidden-address" && f.verdict.to === "external:metadata")).toBe(true);
    expect(leaks.every((f) => f.expected === "denied")).toBe(true);
    const allowAll: KubeObject = {
      apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "allow-all", namespace: "agents-system" },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{}], egress: [{}] },
    };
    for (const mode of BOTH_MODES) {
      const open = verifyTenancyIsolation([...objects, allowAll], cfg, mode);
      expect(open.some((f) => f.check === "cross-customer")).toBe(true);
      expect(open.some((f) => f.check === "shared-agent")).toBe(true);
    }
    // The scenario covers every endpoint type the suite needs.
    expect(scenarioEndpoints(tenancyScenario(cfg)).length).toBeGreaterThan(20);
  });
});
