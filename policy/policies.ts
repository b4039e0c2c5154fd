/**
 * Tenant-isolation rules, checked on what a preview would create. Each rule is a plain
 * object so tests call `validateResource` / `validateStack` directly; index.ts only
 * bundles them into the pack. The pack is self-contained (run by the CLI from this
 * folder), so the few names it shares with the program are repeated here and a test
 * checks they still match the program's.
 */
import type { PolicyResource, ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

export const TYPES = {
  table: "pulumi-nodejs:dynamic/ve:Table",
  customer: "ve:k8s:Customer",
  namespace: "kubernetes:core/v1:Namespace",
  serviceAccount: "kubernetes:core/v1:ServiceAccount",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  pgGrant: "postgresql:index/grant:Grant",
  pgDefaultPrivileges: "postgresql:index/defaultPrivileges:DefaultPrivileges",
} as const;

/** The label carrying a customer's id on its ServiceAccount, pods and policies (k8s/names.ts). */
export const CUSTOMER_LABEL = "platform.ve.dev/customer-id";
/** Roles that stand for "anyone": never on a tenant table. */
const ANONYMOUS_ROLES = ["anon", "public"];

type Props = Record<string, unknown>;
const isObj = (v: unknown): v is Props => typeof v === "object" && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const field = (v: unknown, ...path: string[]): unknown => path.reduce<unknown>((o, k) => (isObj(o) ? o[k] : undefined), v);
const labels = (props: Props): Record<string, unknown> => {
  const l = field(props, "metadata", "labels");
  return isObj(l) ? l : {};
};

interface TableView {
  id: string;
  tenant: boolean;
  rls: { enabled: boolean; forced: boolean };
  policies: { name: string; roles: string[] }[];
  grants: { role: string; privileges: string[] }[];
}

/** The `declaration` input of a ve:Table resource (the normalised TableDecl). */
function tableView(props: Props): TableView | undefined {
  const d = props.declaration;
  if (!isObj(d)) return undefined;
  return {
    id: `${String(d.schema)}.${String(d.name)}`,
    tenant: isObj(d.tenancy),
    rls: { enabled: field(d, "rls", "enabled") === true, forced: field(d, "rls", "forced") === true },
    policies: list(d.policies).filter(isObj).map((p) => ({ name: String(p.name), roles: list(p.roles).map(String) })),
    grants: list(d.grants).filter(isObj).map((g) => ({ role: String(g.role), privileges: list(g.privileges).map(String) })),
  };
}

export const tableRls: ResourceValidationPolicy = {
  name: "ve-table-rls",
  description: "Every table has RLS enabled; tenant tables also force it, so owning a table never shows every tenant's rows.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== TYPES.table) return;
    const t = tableView(args.props);
    if (!t) return report("ve:Table has no declaration input; cannot check its row-level security");
    if (!t.rls.enabled) report(`${t.id}: row-level security is disabled; every role with a grant sees every row`);
    else if (t.tenant && !t.rls.forced) report(`${t.id}: tenant table without FORCE ROW LEVEL SECURITY; its owner would see every tenant's rows`);
  },
};

export const policyHasRole: ResourceValidationPolicy = {
  name: "ve-policy-has-role",
  description: "Every RLS policy names its roles (TO authenticated ...); a policy without roles applies to PUBLIC.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== TYPES.table) return;
    const t = tableView(args.props);
    for (const p of t?.policies ?? []) {
      if (p.roles.length === 0 || p.roles.includes("public")) {
        report(`${t?.id}: policy ${p.name} applies to PUBLIC; name the roles it is for (e.g. TO authenticated)`);
      }
    }
  },
};

export const noAnonOnTenantTable: ResourceValidationPolicy = {
  name: "ve-no-anon-grant-on-tenant-table",
  description: "anon holds no privilege on a tenant table.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== TYPES.table) return;
    const t = tableView(args.props);
    if (!t?.tenant) return;
    for (const g of t.grants) {
      if (ANONYMOUS_ROLES.includes(g.role)) report(`${t.id}: tenant table grants ${g.privileges.join(", ")} to ${g.role}`);
    }
  },
};

/** Grants made outside the engine (@pulumi/postgresql) that would reach a tenant table. */
export const noAnonPgGrant: StackValidationPolicy = {
  name: "ve-no-anon-pg-grant-on-tenant-tables",
  description: "No @pulumi/postgresql Grant or DefaultPrivileges gives anon (or PUBLIC) table privileges that cover a tenant table.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const tenant = new Map<string, Set<string>>(); // schema -> tenant table names
    for (const r of args.resources) {
      if (r.type !== TYPES.table) continue;
      const t = tableView(r.props);
      if (!t?.tenant) continue;
      const [schema, name] = t.id.split(".");
      tenant.set(schema, (tenant.get(schema) ?? new Set()).add(name));
    }
    for (const r of args.resources) {
      if (r.type !== TYPES.pgGrant && r.type !== TYPES.pgDefaultPrivileges) continue;
      const role = String(r.props.role ?? "");
      const objectType = String(r.props.objectType ?? "");
      const privileges = list(r.props.privileges).map(String);
      if (!ANONYMOUS_ROLES.includes(role) || !["table", "column"].includes(objectType) || privileges.length === 0) continue;
      const schema = String(r.props.schema ?? "public");
      const names = tenant.get(schema);
      if (!names) continue;
      if (r.type === TYPES.pgDefaultPrivileges) {
        report(`${r.name}: default privileges give ${role} ${privileges.join(", ")} on new tables in ${schema}, which holds tenant tables`, r.urn);
        continue;
      }
      const objects = list(r.props.objects).map(String);
      const hit = objects.length === 0 ? [...names] : objects.filter((o) => names.has(o));
      if (hit.length > 0) report(`${r.name}: grants ${role} ${privileges.join(", ")} on tenant table(s) ${hit.map((n) => `${schema}.${n}`).join(", ")}`, r.urn);
    }
  },
};

export const serviceAccountNoToken: ResourceValidationPolicy = {
  name: "ve-serviceaccount-no-token",
  description: "ServiceAccounts set automountServiceAccountToken: false; agents do not call the Kubernetes API.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== TYPES.serviceAccount) return;
    if (args.props.automountServiceAccountToken !== false) {
      report(`ServiceAccount ${String(field(args.props, "metadata", "name"))} mounts its API token; set automountServiceAccountToken: false`);
    }
  },
};

const isEmptySelector = (s: unknown): boolean =>
  s === undefined || (isObj(s) && list(s.matchExpressions).length === 0 && (!isObj(s.matchLabels) || Object.keys(s.matchLabels).length === 0));

function isDefaultDeny(np: PolicyResource, namespace: string): boolean {
  const spec = np.props.spec;
  if (field(np.props, "metadata", "namespace") !== namespace || !isObj(spec)) return false;
  const types = list(spec.policyTypes);
  return isEmptySelector(spec.podSelector) && types.includes("Ingress") && types.includes("Egress") &&
    list(spec.ingress).length === 0 && list(spec.egress).length === 0;
}

export const namespaceDefaultDeny: StackValidationPolicy = {
  name: "ve-namespace-default-deny",
  description: "Every namespace the stack creates has a NetworkPolicy denying all ingress and egress to all its pods.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const policies = args.resources.filter((r) => r.type === TYPES.networkPolicy);
    for (const ns of args.resources.filter((r) => r.type === TYPES.namespace)) {
      const name = field(ns.props, "metadata", "name");
      if (typeof name !== "string") {
        report(`Namespace ${ns.name} has no explicit metadata.name; its default-deny policy cannot be checked`, ns.urn);
      } else if (!policies.some((p) => isDefaultDeny(p, name))) {
        report(`Namespace ${name} has no default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress, Egress], no rules)`, ns.urn);
      }
    }
  },
};

export const customerIsolated: StackValidationPolicy = {
  name: "ve-customer-isolated",
  description: "Every customer has its own ServiceAccount and a NetworkPolicy selecting its pods.",
  enforcementLevel: "mandatory",
  validateStack: (args, report: ReportViolation) => {
    const customers = new Map<string, string | undefined>(); // id -> urn to blame
    for (const r of args.resources) {
      if (r.type === TYPES.customer && typeof r.props.customerId === "string") customers.set(r.props.customerId, r.urn);
      const id = labels(r.props)[CUSTOMER_LABEL];
      if ((r.type === TYPES.serviceAccount || r.type === TYPES.networkPolicy) && typeof id === "string" && !customers.has(id)) customers.set(id, r.urn);
    }
    for (const [id, urn] of customers) {
      const sa = args.resources.some((r) => r.type === TYPES.serviceAccount && labels(r.props)[CUSTOMER_LABEL] === id);
      const np = args.resources.some((r) => r.type === TYPES.networkPolicy && field(r.props, "spec", "podSelector", "matchLabels", CUSTOMER_LABEL) === id);
      if (!sa) report(`customer ${id} has no ServiceAccount labelled ${CUSTOMER_LABEL}=${id}`, urn);
      if (!np) report(`customer ${id} has no NetworkPolicy selecting its pods (${CUSTOMER_LABEL}=${id})`, urn);
    }
  },
};

export const allPolicies = [tableRls, policyHasRole, noAnonOnTenantTable, noAnonPgGrant, serviceAccountNoToken, namespaceDefaultDeny, customerIsolated];
