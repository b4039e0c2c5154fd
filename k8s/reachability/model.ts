/** Inputs and verdicts of the reachability checker. */
import type { Protocol } from "../types";

export interface ContainerPort {
  name?: string;
  port: number;
  /** Default TCP, as in a pod spec. */
  protocol?: Protocol;
}

export interface PodEndpoint {
  kind: "pod";
  name: string;
  namespace: string;
  /** `kubernetes.io/metadata.name` is added by the checker, as the control plane does. */
  namespaceLabels?: Record<string, string>;
  labels: Record<string, string>;
  /** First address is used unless a probe names one; dual-stack pods list both families. */
  ips: string[];
  ports?: ContainerPort[];
  /** hostNetwork pods act as their node: no selector matches them and no policy selects them. */
  hostNetwork?: boolean;
  /** Free text used to group endpoints in reports (e.g. the customer id). */
  group?: string;
}

export interface ExternalEndpoint {
  kind: "external";
  name: string;
  ips: string[];
  group?: string;
}

export type Endpoint = PodEndpoint | ExternalEndpoint;

export interface Probe {
  port: number;
  protocol: Protocol;
}

export interface ReachabilityOptions {
  /**
   * Whether an ipBlock peer matches pod IPs. Calico and the upstream e2e suite say yes;
   * Cilium says no (cilium#9209). Policies should give the same verdict either way.
   */
  ipBlockMatchesPodIPs: boolean;
}

export interface SideVerdict {
  direction: "egress" | "ingress";
  allowed: boolean;
  /** Whether some policy isolates the pod in this direction (R3). */
  isolated: boolean;
  /** Policies (namespace/name) that select the pod for this direction. */
  selectedBy: string[];
  /** Rules that allow the traffic, as `namespace/name egress[i]`. */
  allowedBy: string[];
  reason: string;
}

export interface Verdict {
  allowed: boolean;
  from: string;
  to: string;
  probe: Probe;
  /** The addresses the decision used. */
  fromIp?: string;
  toIp?: string;
  egress: SideVerdict;
  ingress: SideVerdict;
  reason: string;
}

export function endpointName(e: Endpoint): string {
  return e.kind === "pod" ? `${e.namespace}/${e.name}` : `external:${e.name}`;
}

export function probeName(p: Probe): string {
  return `${p.protocol}/${p.port}`;
}
