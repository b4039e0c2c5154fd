/**
 * Kubernetes name and label rules (apimachinery `validation.go`), the platform's
 * label keys, and the names derived from a customer id.
 */
import { createHash } from "node:crypto";

/** Every label and annotation the platform owns lives under this prefix. */
export const LABEL_PREFIX = "platform.ve.dev/";
export const CUSTOMER_LABEL = `${LABEL_PREFIX}customer-id`;
export const SLUG_LABEL = `${LABEL_PREFIX}customer-slug`;
export const SHARED_AGENT_LABEL = `${LABEL_PREFIX}shared-agent`;
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "ve-infra";
/** Production's agent pods and ServiceAccounts carry this label today. */
export const DEFAULT_LEGACY_CUSTOMER_LABEL = "customer_id";
/** Set by the control plane on every namespace (immutable), so selectors can rely on it. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Each function returns why the text is invalid, or undefined when it is valid. */
export function dns1123LabelProblem(s: string): string | undefined {
  if (s.length > 63) return "must be at most 63 characters";
  if (!DNS1123_LABEL.test(s)) return "must be lower-case alphanumerics or '-', starting and ending with an alphanumeric";
  return undefined;
}

export function dns1123SubdomainProblem(s: string): string | undefined {
  if (s.length > 253) return "must be at most 253 characters";
  if (!DNS1123_SUBDOMAIN.test(s)) return "must be lower-case alphanumerics, '-' or '.', starting and ending with an alphanumeric";
  return undefined;
}

export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    const p = dns1123SubdomainProblem(prefix);
    if (p) return `prefix ${JSON.stringify(prefix)} ${p}`;
  }
  if (name.length === 0 || name.length > 63) return "name part must be 1-63 characters";
  if (!QUALIFIED_NAME.test(name)) return "name part must be alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric";
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return "must be at most 63 characters";
  if (!LABEL_VALUE.test(value)) return "must be empty or alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric";
  return undefined;
}

/** Named container ports (IANA_SVC_NAME): at most 15 characters, at least one letter, no '--'. */
export function portNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > 15) return "must be 1-15 characters";
  if (!IANA_SVC_NAME.test(name)) return "must be lower-case alphanumerics or '-', starting and ending with an alphanumeric";
  if (name.includes("--")) return "must not contain '--'";
  if (!/[a-z]/.test(name)) return "must contain at least one letter";
  return undefined;
}

/**
 * A DNS-1123 label built from parts. Ids are validated as UUIDs, so this normally
 * just joins; the hash fallback keeps names valid and unique for any input anyway.
 */
export function safeName(parts: readonly string[], maxLength = 63): string {
  const joined = parts.join("-").toLowerCase();
  const cleaned = joined.replace(/[^a-z0-9-]+/g, "-").replace(/-+/g, "-").replace(/^-|-$/g, "");
  if (cleaned === joined && cleaned.length <= maxLength && cleaned.length > 0) return cleaned;
  const hash = createHash("sha256").update(joined).digest("hex").slice(0, 10);
  const head = cleaned.slice(0, maxLength - hash.length - 1).replace(/-$/, "");
  return head ? `${head}-${hash}` : `x-${hash}`;
}

/** Production's ServiceAccounts are `sa-<uuid>`; keeping the name lets them be adopted, not replaced. */
export function serviceAccountName(customerId: string): string {
  return safeName(["sa", customerId]);
}

export function customerPolicyName(customerId: string, suffix?: string): string {
  return safeName(suffix ? ["tenant", customerId, suffix] : ["tenant", customerId]);
}
