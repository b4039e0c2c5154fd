/** The customer-by-customer matrix for a configuration, as the CLI and tests print it. */
import type { TenancyConfig } from "../config";
import type { KubeObject } from "../types";
import { groupMatrix, reachabilityMatrix, type ReachabilityMatrix } from "./matrix";
import type { Endpoint, ReachabilityOptions } from "./model";
import { STANDARD_PROBES, tenancyScenario } from "./scenario";

/**
 * One row and column per customer (its new- and legacy-labelled pods together), plus
 * the shared agent, the gateway, DNS, the internet and the metadata address.
 */
export function customerMatrix(objects: readonly KubeObject[], cfg: TenancyConfig, opts: ReachabilityOptions): ReachabilityMatrix {
  const s = tenancyScenario(cfg);
  const endpoints: Endpoint[] = [
    ...s.customerPods.flatMap((c) => c.pods), s.sharedAgent, s.gateway, s.dns, ...s.internet, s.forbidden[0],
  ];
  const slug = new Map(cfg.customers.map((c) => [c.id, c.slug] as const));
  const label = (e: Endpoint): string => {
    if (e.kind === "pod" && e.group && slug.has(e.group)) return `customer ${e.group}${slug.get(e.group) ? ` (${slug.get(e.group)})` : ""}`;
    return e.kind === "pod" ? `${e.namespace}/${e.name}` : `external:${e.name}`;
  };
  return groupMatrix(reachabilityMatrix(objects, endpoints, STANDARD_PROBES, opts), (_, i) => label(endpoints[i]));
}
