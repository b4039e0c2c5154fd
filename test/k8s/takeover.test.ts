import { describe, it, expect } from "vitest";
import {
  allObjects, buildTenancyObjects, checkReachability, describeFinding, planTakeover, takeoverStates, tenancyScenario,
  verifyTenancyIsolation, type KubeObject,
} from "../../k8s";
import { BOTH_MODES, config, legacyPolicies } from "./fixtures";

const existing = (cfg: ReturnType<typeof config>): KubeObject[] => [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "agents-system" } },
  ...cfg.customers.map((c): KubeObject => ({
    apiVersion: "v1", kind: "ServiceAccount", metadata: { name: `sa-${c.id}`, namespace: "agents-system", labels: { customer_id: c.id } },
  })),
  ...legacyPolicies(cfg),
];

describe("taking over the cluster", () => {
  const cfg = config(3);
  const t = buildTenancyObjects(cfg);
  const phases = planTakeover(t);
  const states = takeoverStates(existing(cfg), phases);

  it("orders the phases allow → deny → neutralise → remove", () => {
    expect(phases.map((p) => p.name)).toEqual(["allow", "deny", "neutralise-legacy", "remove-legacy"]);
    expect(phases[0].apply.some((o) => o.metadata.name === "default-deny-all")).toBe(false);
    expect(phases[1].apply.map((o) => o.metadata.name)).toContain("default-deny-all");
    expect(phases[3].remove.map((r) => r.name)).toEqual(cfg.cluster.legacyNetworkPolicies);
  });

  it("adopts ServiceAccounts by name instead of creating new ones", () => {
    const after = states[states.length - 1].objects.filter((o) => o.kind === "ServiceAccount");
    expect(after.map((o) => o.metadata.name).sort()).toEqual(cfg.customers.map((c) => `sa-${c.id}`).sort());
  });

  for (const mode of BOTH_MODES) {
    it(`every state keeps gateway→agent and agent→DNS working (ipBlockMatchesPodIPs=${mode.ipBlockMatchesPodIPs})`, () => {
      const s = tenancyScenario(cfg);
      const legacyPods = s.customerPods.flatMap((c) => c.pods.filter((p) => "customer_id" in p.labels));
      const newPods = s.customerPods.flatMap((c) => c.pods.filter((p) => !("customer_id" in p.labels)));
      expect(states.map((st) => st.phase)).toEqual(["initial", "allow", "deny", "neutralise-legacy", "remove-legacy"]);
      for (const state of states) {
        // New-label pods only exist once phase "allow" has created their policies.
        const pods = state.phase === "initial" ? legacyPods : [...legacyPods, ...newPods];
        for (const p of pods) {
          const gw = checkReachability(state.objects, s.gateway, p, { port: 8080, protocol: "TCP" }, mode);
          expect(gw.allowed, `${state.phase}: gateway -> ${p.name}: ${gw.reason}`).toBe(true);
          for (const protocol of ["UDP", "TCP"] as const) {
            const dns = checkReachability(state.objects, p, s.dns, { port: 53, protocol }, mode);
            expect(dns.allowed, `${state.phase}: ${p.name} -> dns ${protocol}: ${dns.reason}`).toBe(true);
          }
        }
      }
    });

    it(`leaks remain until the legacy policies go, and none after (ipBlockMatchesPodIPs=${mode.ipBlockMatchesPodIPs})`, () => {
      const findingsByPhase = states.map((st) => verifyTenancyIsolation(st.objects, cfg, mode));
      const byPhase = new Map(states.map((st, i) => [st.phase, findingsByPhase[i]]));
      expect(byPhase.get("deny")!.some((f) => f.check === "forbidden-address")).toBe(true);
      expect(byPhase.get("neutralise-legacy")!.map(describeFinding)).toEqual([]);
      expect(byPhase.get("remove-legacy")!.map(describeFinding)).toEqual([]);
    });
  }

  it("ends in exactly the built final state plus the pre-existing namespace/SA content it adopted", () => {
    const final = states[states.length - 1].objects;
    const names = (xs: KubeObject[]): string[] => xs.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`).sort();
    expect(names(final)).toEqual(names(allObjects(t)));
    expect(final.find((o) => o.kind === "Namespace")?.metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });
});
