/**
 * Configuration-driven variants of the program: the take-over of legacy NetworkPolicies
 * (emptied in place only after the deny and every allowance exist) and rendering YAML
 * instead of applying to a cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT, removeCompiled, runProgram, stackConfig, type ProgramRun } from "./harness";

const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const LEGACY = "agent-5a1d2e3f-allow-all";

describe("program variants (staging)", () => {
  let run: ProgramRun;
  afterAll(removeCompiled);
  beforeAll(async () => {
    const base = stackConfig("staging");
    const cluster = { ...JSON.parse(base[`${PROJECT}:cluster`]), legacyNetworkPolicies: [LEGACY] };
    run = await runProgram("staging", {
      ...base,
      [`${PROJECT}:cluster`]: JSON.stringify(cluster),
      [`${PROJECT}:kubernetes`]: JSON.stringify({ renderYamlTo: "out/k8s-staging" }),
    });
  });

  it("takes over a legacy policy by name and empties it after the default deny and the allowances", () => {
    const legacy = run.resources.find((r) => r.key === `${NP}::${LEGACY}`);
    expect(legacy?.inputs).toMatchObject({ metadata: { name: LEGACY, namespace: "agents-system" }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } });
    expect((legacy?.inputs.spec as Record<string, unknown>).ingress).toBeUndefined();
    const deps = run.options.get(`${NP}::${LEGACY}`)?.dependsOn ?? [];
    expect(deps).toContain(`${NP}::default-deny-all`);
    const allows = run.resources.filter((r) => r.type === NP && run.options.get(r.key)?.parent === "ve:k8s:Tenancy::agents" && ![LEGACY, "default-deny-all"].includes(r.name));
    expect(allows.length).toBeGreaterThan(2);
    for (const a of allows) expect(deps).toContain(a.key);
  });

  it("renders YAML to a directory instead of applying, and adopts existing objects by name", () => {
    const provider = run.resources.find((r) => r.key === "pulumi:providers:kubernetes::agents-k8s");
    expect(provider?.inputs).toMatchObject({ renderYamlToDirectory: "out/k8s-staging", upsertExistingObjects: "true" });
    expect(provider?.inputs.context).toBeUndefined();
  });
});
