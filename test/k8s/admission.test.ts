import { describe, it, expect } from "vitest";
import { isCelError, isCelMap, run, type CelInput, type CelValue } from "@bufbuild/cel";
import { ADMISSION_POLICY_NAME, buildTenancyObjects, validateObjects, type KubeObject } from "../../k8s";
import { config, uuid } from "./fixtures";

interface VapSpec {
  variables: { name: string; expression: string }[];
  validations: { expression: string; message: string }[];
  matchConstraints: { resourceRules: { apiGroups: string[]; resources: string[] }[]; namespaceSelector: unknown };
}

/**
 * Evaluates the policy exactly as it is in the object: variables in order (each may
 * use the earlier ones through `variables`), then every validation.
 */
function admit(vap: KubeObject, object: Record<string, unknown>): { allowed: boolean; failed: string[] } {
  const spec = vap.spec as VapSpec;
  const variables: Record<string, CelValue> = {};
  const evaluate = (expression: string): CelValue => {
    const result = run(expression, { object: object as CelInput, variables: variables as CelInput });
    if (isCelError(result)) throw new Error(`CEL error in ${expression}: ${result.message}`);
    return result;
  };
  for (const v of spec.variables) variables[v.name] = evaluate(v.expression);
  const failed: string[] = [];
  for (const v of spec.validations) {
    const result = evaluate(v.expression);
    expect(typeof result).toBe("boolean");
    if (result !== true) failed.push(v.message);
  }
  return { allowed: failed.length === 0, failed };
}

const A = uuid(1);
const B = uuid(2);
const pod = (labels: Record<string, string> | undefined, serviceAccountName?: string): Record<string, unknown> => ({
  apiVersion: "v1", kind: "Pod",
  metadata: { name: "p", namespace: "agents-system", ...(labels ? { labels } : {}) },
  spec: { containers: [{ name: "c", image: "i" }], ...(serviceAccountName ? { serviceAccountName } : {}) },
});
const agent = (kind: "declarative" | "byo", labels: Record<string, string> | undefined, serviceAccountName?: string): Record<string, unknown> => ({
  apiVersion: "kagent.dev/v1alpha2", kind: "Agent",
  metadata: { name: "helper", namespace: "agents-system" },
  spec: {
    type: kind === "declarative" ? "Declarative" : "BYO",
    [kind]: { deployment: { ...(labels ? { labels } : {}), ...(serviceAccountName ? { serviceAccountName } : {}) } },
  },
});
const NEW = "platform.ve.dev/customer-id";
const SHARED = "platform.ve.dev/shared-agent";

describe("ValidatingAdmissionPolicy", () => {
  const admission = buildTenancyObjects(config(2)).admission;
  const vap = admission.find((o) => o.kind === "ValidatingAdmissionPolicy")!;
  const binding = admission.find((o) => o.kind === "ValidatingAdmissionPolicyBinding")!;

  it("is a valid v1 policy and binding for pods and kagent Agents in agents-system", () => {
    expect(validateObjects(admission)).toEqual([]);
    const spec = vap.spec as VapSpec;
    expect(spec.matchConstraints.resourceRules.map((r) => `${r.apiGroups[0]}/${r.resources[0]}`)).toEqual(["/pods", "kagent.dev/agents"]);
    expect(spec.matchConstraints.namespaceSelector).toEqual({ matchLabels: { "kubernetes.io/metadata.name": "agents-system" } });
    expect(binding.spec).toMatchObject({ policyName: ADMISSION_POLICY_NAME, validationActions: ["Deny"] });
  });

  it("computes the labels variable from a pod or from either Agent form", () => {
    const spec = vap.spec as VapSpec;
    const labelsExpr = spec.variables.find((v) => v.name === "labels")!.expression;
    const labels = run(labelsExpr, { object: agent("byo", { [NEW]: A }, `sa-${A}`) as CelInput, variables: {} });
    expect(isCelMap(labels) && labels.get(NEW)).toBe(A);
  });

  const allowed: [string, Record<string, unknown>][] = [
    ["pod with its customer's label and ServiceAccount", pod({ [NEW]: A }, `sa-${A}`)],
    ["legacy pod (customer_id) with its ServiceAccount", pod({ customer_id: A, customer_ve_id: "ve-1" }, `sa-${A}`)],
    ["pod with both labels naming the same customer", pod({ [NEW]: A, customer_id: A }, `sa-${A}`)],
    ["shared agent with its own ServiceAccount", pod({ [SHARED]: "true" }, "shared-agents")],
    ["unlabelled pod with the default ServiceAccount", pod(undefined)],
    ["declarative Agent for its customer", agent("declarative", { [NEW]: A }, `sa-${A}`)],
    ["BYO Agent for its customer", agent("byo", { [NEW]: B }, `sa-${B}`)],
    ["shared Agent", agent("declarative", { [SHARED]: "true" }, "shared-agents")],
  ];
  for (const [name, object] of allowed) {
    it(`admits: ${name}`, () => expect(admit(vap, object)).toEqual({ allowed: true, failed: [] }));
  }

  const rejected: [string, Record<string, unknown>, RegExp][] = [
    ["pod labelled A using B's ServiceAccount", pod({ [NEW]: A }, `sa-${B}`), /customer-id must name/],
    ["pod labelled A with no ServiceAccount", pod({ [NEW]: A }), /customer-id must name/],
    ["legacy pod labelled A using B's ServiceAccount", pod({ customer_id: A }, `sa-${B}`), /customer_id must name/],
    ["pod whose two labels disagree", pod({ [NEW]: A, customer_id: B }, `sa-${A}`), /customer_id must name/],
    ["pod using a customer's ServiceAccount without a tenant label", pod({ app: "x" }, `sa-${A}`), /must carry that customer's/],
    ["shared agent using a customer's ServiceAccount", pod({ [SHARED]: "true" }, `sa-${A}`), /shared agent/],
    ["shared agent also claiming a customer", pod({ [SHARED]: "true", [NEW]: A }, `sa-${A}`), /shared agent/],
    ["declarative Agent labelled A using B's ServiceAccount", agent("declarative", { [NEW]: A }, `sa-${B}`), /customer-id must name/],
    ["declarative Agent labelled A without serviceAccountName", agent("declarative", { [NEW]: A }), /customer-id must name/],
    ["BYO Agent labelled A using B's ServiceAccount", agent("byo", { [NEW]: A }, `sa-${B}`), /customer-id must name/],
    ["Agent using a customer's ServiceAccount without labels", agent("byo", undefined, `sa-${A}`), /must carry that customer's/],
  ];
  for (const [name, object, reason] of rejected) {
    it(`rejects: ${name}`, () => {
      const result = admit(vap, object);
      expect(result.allowed).toBe(false);
      expect(result.failed.join("\n")).toMatch(reason);
    });
  }

  it("drops the legacy-label rule once the legacy label is retired", () => {
    const vap2 = buildTenancyObjects(config(1, { legacyCustomerLabel: null })).admission[0];
    expect((vap2.spec as VapSpec).validations.some((v) => v.message.includes("customer_id"))).toBe(false);
    // The old label no longer counts as a tenant label: a customer's SA then needs the new one.
    expect(admit(vap2, pod({ customer_id: A }, `sa-${A}`)).failed).toEqual([expect.stringMatching(/must carry that customer's/)]);
    expect(admit(vap2, pod({ customer_id: B, [NEW]: A }, `sa-${A}`)).allowed).toBe(true);
  });
});
