/**
 * Kubernetes tenancy for the agents: objects as pure functions of the stack's
 * configuration, their validation, the take-over phases, the admission policy and
 * the reachability checker. Nothing here imports Pulumi (k8s/pulumi registers it).
 */
export { ConfigError, parseTenancyConfig } from "./config";
export type { ClusterConfig, CustomerConfig, PeerConfig, TenancyConfig } from "./config";
export type {
  KubeObject, LabelSelector, NetworkPolicyObject, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec, ObjectRef, Protocol,
} from "./types";
export { isNetworkPolicy, refKey, refOf } from "./types";
export {
  CUSTOMER_LABEL, LABEL_PREFIX, SHARED_AGENT_LABEL, SLUG_LABEL, customerPolicyName, safeName, serviceAccountName,
} from "./names";
export { DEFAULT_DENY_POLICY, allObjects, buildTenancyObjects } from "./build";
export type { LegacyCleanup, TenancyObjects } from "./build";
export { ADMISSION_POLICY_NAME, admissionObjects } from "./admission";
export { applyPhase, planTakeover, takeoverStates } from "./takeover";
export type { TakeoverPhase } from "./takeover";
export { validateObjects } from "./validate";
export type { Problem } from "./validate";
export { renderYaml } from "./yaml";
export { checkReachability, preparePolicies } from "./reachability/evaluate";
export { allowedFlows, reachabilityMatrix, renderMatrix } from "./reachability/matrix";
export type { ReachabilityMatrix } from "./reachability/matrix";
export { STANDARD_PROBES, scenarioEndpoints, tenancyScenario } from "./reachability/scenario";
export type { Scenario } from "./reachability/scenario";
export type {
  ContainerPort, Endpoint, ExternalEndpoint, PodEndpoint, Probe, ReachabilityOptions, SideVerdict, Verdict,
} from "./reachability/model";
export { describeFinding, verifyTenancyIsolation } from "./reachability/verify";
export type { IsolationCheck, IsolationFinding } from "./reachability/verify";
export { groupMatrix } from "./reachability/matrix";
export { customerMatrix } from "./reachability/report";
