/**
 * Taking over the running cluster as explicit, ordered phases. NetworkPolicies add
 * up, so one leftover allow-all defeats every deny; but removing it first would cut
 * running agents off from the gateway and DNS. Hence: add every allowance, then the
 * default deny, then empty and finally delete the legacy policies.
 */
import { DEFAULT_DENY_POLICY, allObjects, type TenancyObjects } from "./build";
import { refKey, refOf, type KubeObject, type ObjectRef } from "./types";

export interface TakeoverPhase {
  name: "allow" | "deny" | "neutralise-legacy" | "remove-legacy";
  description: string;
  /** Created or updated (existing namespace and `sa-<uuid>` ServiceAccounts are adopted by name). */
  apply: KubeObject[];
  remove: ObjectRef[];
}

export function planTakeover(t: TenancyObjects): TakeoverPhase[] {
  const final = allObjects(t);
  const isDeny = (o: KubeObject): boolean =>
    (o.kind === "NetworkPolicy" && o.metadata.name === DEFAULT_DENY_POLICY) || o.apiVersion.startsWith("admissionregistration.k8s.io/");
  return [
    {
      name: "allow",
      description: "adopt the namespace and ServiceAccounts; add quotas and every new allow policy (legacy policies still in place)",
      apply: final.filter((o) => !isDeny(o)),
      remove: [],
    },
    {
      name: "deny",
      description: "add the namespace-wide default deny and the admission policy",
      apply: final.filter(isDeny),
      remove: [],
    },
    {
      name: "neutralise-legacy",
      description: "replace each legacy policy by a deny-only policy of the same name",
      apply: t.legacyCleanup.neutralised,
      remove: [],
    },
    {
      name: "remove-legacy",
      description: "delete the emptied legacy policies",
      apply: [],
      remove: t.legacyCleanup.remove,
    },
  ];
}

/** The cluster's objects after one phase: applied objects replace same-named ones. */
export function applyPhase(state: readonly KubeObject[], phase: TakeoverPhase): KubeObject[] {
  const byKey = new Map(state.map((o) => [refKey(refOf(o)), o] as const));
  for (const o of phase.apply) byKey.set(refKey(refOf(o)), o);
  for (const r of phase.remove) byKey.delete(refKey(r));
  return [...byKey.values()];
}

/** The starting state and the state after each phase, for checking every step. */
export function takeoverStates(initial: readonly KubeObject[], phases: readonly TakeoverPhase[]): { phase: string; objects: KubeObject[] }[] {
  const states = [{ phase: "initial", objects: [...initial] }];
  for (const p of phases) states.push({ phase: p.name, objects: applyPhase(states[states.length - 1].objects, p) });
  return states;
}
