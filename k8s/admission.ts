/**
 * ValidatingAdmissionPolicy binding each agent pod, and each kagent Agent, to its
 * tenant. In a shared namespace anyone who can create a pod can name any
 * ServiceAccount and any label, so the tenant label and the customer's
 * ServiceAccount must agree, or the NetworkPolicies and cloud identities mean nothing.
 */
import type { ClusterConfig } from "./config";
import { CUSTOMER_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, NAMESPACE_NAME_LABEL, SHARED_AGENT_LABEL } from "./names";
import type { KubeObject } from "./types";

export const ADMISSION_POLICY_NAME = "ve-agent-tenancy";

export interface CelVariable { name: string; expression: string }
export interface CelValidation { expression: string; message: string; reason?: string }

const q = (s: string): string => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** `has()` chain for an Agent's `spec.<kind>.deployment.<field>`; CEL's has() errors on a missing parent. */
function agentField(kind: "declarative" | "byo", field: string): string {
  const base = `object.spec.${kind}`;
  return `has(object.spec) && has(${base}) && has(${base}.deployment) && has(${base}.deployment.${field})`;
}

function agentValue(field: string, fallback: string): string {
  return (
    `(${agentField("declarative", field)} ? object.spec.declarative.deployment.${field}` +
    ` : (${agentField("byo", field)} ? object.spec.byo.deployment.${field} : ${fallback}))`
  );
}

export function admissionVariables(cluster: ClusterConfig): CelVariable[] {
  const legacy = cluster.legacyCustomerLabel;
  return [
    {
      name: "labels",
      expression: `object.kind == 'Agent' ? ${agentValue("labels", "{}")} : (has(object.metadata.labels) ? object.metadata.labels : {})`,
    },
    {
      // The ServiceAccount admission plugin has set 'default' on pods by now; for an Agent
      // without one kagent creates an SA named after the agent, never a customer's.
      name: "serviceAccount",
      expression: `object.kind == 'Agent' ? ${agentValue("serviceAccountName", "''")} : (has(object.spec.serviceAccountName) ? object.spec.serviceAccountName : 'default')`,
    },
    { name: "hasCustomer", expression: `${q(CUSTOMER_LABEL)} in variables.labels` },
    { name: "hasLegacyCustomer", expression: legacy ? `${q(legacy)} in variables.labels` : "false" },
    { name: "claimsShared", expression: `${q(SHARED_AGENT_LABEL)} in variables.labels` },
    {
      name: "customerServiceAccount",
      expression: "variables.serviceAccount.matches('^sa-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')",
    },
  ];
}

export function admissionValidations(cluster: ClusterConfig): CelValidation[] {
  const legacy = cluster.legacyCustomerLabel;
  const validations: CelValidation[] = [
    {
      expression: `!variables.hasCustomer || variables.serviceAccount == 'sa-' + variables.labels[${q(CUSTOMER_LABEL)}]`,
      message: `label ${CUSTOMER_LABEL} must name the customer whose ServiceAccount (sa-<customer id>) the workload uses`,
      reason: "Forbidden",
    },
  ];
  if (legacy) {
    validations.push({
      expression: `!variables.hasLegacyCustomer || variables.serviceAccount == 'sa-' + variables.labels[${q(legacy)}]`,
      message: `label ${legacy} must name the customer whose ServiceAccount (sa-<customer id>) the workload uses`,
      reason: "Forbidden",
    });
  }
  validations.push(
    {
      expression: "!variables.customerServiceAccount || variables.hasCustomer || variables.hasLegacyCustomer",
      message: `a workload using a customer's ServiceAccount must carry that customer's ${CUSTOMER_LABEL} label`,
      reason: "Forbidden",
    },
    {
      expression: "!variables.claimsShared || (!variables.hasCustomer && !variables.hasLegacyCustomer && !variables.customerServiceAccount)",
      message: `a shared agent (${SHARED_AGENT_LABEL}) must not carry a customer label or use a customer's ServiceAccount`,
      reason: "Forbidden",
    },
  );
  return validations;
}

export function admissionObjects(cluster: ClusterConfig): KubeObject[] {
  const inNamespace = { matchLabels: { [NAMESPACE_NAME_LABEL]: cluster.namespace } };
  const labels = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
  return [
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name: ADMISSION_POLICY_NAME, labels },
      spec: {
        failurePolicy: "Fail",
        matchConstraints: {
          namespaceSelector: inNamespace,
          resourceRules: [
            { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods"] },
            { apiGroups: ["kagent.dev"], apiVersions: ["v1alpha2"], operations: ["CREATE", "UPDATE"], resources: ["agents"] },
          ],
        },
        variables: admissionVariables(cluster),
        validations: admissionValidations(cluster),
      },
    },
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name: ADMISSION_POLICY_NAME, labels },
      spec: {
        policyName: ADMISSION_POLICY_NAME,
        validationActions: ["Deny"],
        matchResources: { namespaceSelector: inNamespace },
      },
    },
  ];
}
