/**
 * The policy pack's rules on passing and failing resources. policy/index.ts is never
 * imported: constructing a PolicyPack starts a gRPC server and exits the process when
 * a second one is built. Rules are called directly with fake arguments instead.
 */
import { describe, expect, it } from "vitest";
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import {
  CUSTOMER_LABEL, TYPES, allPolicies, customerIsolated, namespaceDefaultDeny, noAnonOnTenantTable, noAnonPgGrant, policyHasRole,
  serviceAccountNoToken, tableRls,
} from "../../policy/policies";
import { CUSTOMER_LABEL as PROGRAM_CUSTOMER_LABEL, buildTenancyObjects, parseTenancyConfig } from "../../k8s";

const opts = { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] };

function resource(type: string, name: string, props: Record<string, unknown>, parent?: PolicyResource): PolicyResource {
  return { type, name, props, urn: `urn:pulumi:dev::ve-infra::${type}::${name}`, opts, dependencies: [], propertyDependencies: {}, parent } as unknown as PolicyResource;
}

async function runResource(policy: ResourceValidationPolicy, r: PolicyResource): Promise<string[]> {
  const violations: string[] = [];
  const args = {
    ...r, stackTags: new Map(), isType: () => false, asType: () => undefined, getConfig: () => ({}),
    notApplicable: () => { throw new Error("not applicable"); },
  } as unknown as ResourceValidationArgs;
  const validate = policy.validateResource;
  if (!validate) throw new Error(`${policy.name} has no validateResource`);
  for (const v of Array.isArray(validate) ? validate : [validate]) await v(args, (m) => violations.push(m));
  return violations;
}

async function runStack(policy: StackValidationPolicy, resources: PolicyResource[]): Promise<string[]> {
  const violations: string[] = [];
  const args = { resources, stackTags: new Map(), getConfig: () => ({}), notApplicable: () => { throw new Error("n/a"); } } as unknown as StackValidationArgs;
  await policy.validateStack(args, (m) => violations.push(m));
  return violations;
}

const tenantTable = {
  schema: "public", name: "tasks", tenancy: { column: "customer_id" },
  rls: { enabled: true, forced: true },
  policies: [{ name: "tasks_select", command: "select", roles: ["authenticated"], permissive: true, using: { sql: "customer_id = (select auth.uid())" } }],
  grants: [{ role: "authenticated", privileges: ["select"] }, { role: "service_role", privileges: ["select", "insert"] }],
};
const table = (d: object): PolicyResource => resource(TYPES.table, "ve-public.tasks", { schema: "public", name: "tasks", declaration: d });

describe("table rules", () => {
  it("pass on a forced-RLS tenant table with role-scoped policies and no anon grant", async () => {
    for (const p of [tableRls, policyHasRole, noAnonOnTenantTable]) expect(await runResource(p, table(tenantTable))).toEqual([]);
  });

  it("fail a table without RLS, and a tenant table without FORCE", async () => {
    expect(await runResource(tableRls, table({ ...tenantTable, rls: { enabled: false, forced: false } }))).toEqual([expect.stringContaining("row-level security is disabled")]);
    expect(await runResource(tableRls, table({ ...tenantTable, rls: { enabled: true, forced: false } }))).toEqual([expect.stringContaining("without FORCE")]);
    // A non-tenant table (the public catalog) needs RLS, not FORCE.
    expect(await runResource(tableRls, table({ ...tenantTable, tenancy: undefined, rls: { enabled: true, forced: false } }))).toEqual([]);
  });

  it("fail a policy without roles or for PUBLIC", async () => {
    const noRole = { ...tenantTable, policies: [{ ...tenantTable.policies[0], roles: [] }] };
    const pub = { ...tenantTable, policies: [{ ...tenantTable.policies[0], roles: ["public"] }] };
    expect(await runResource(policyHasRole, table(noRole))).toEqual([expect.stringContaining("tasks_select applies to PUBLIC")]);
    expect(await runResource(policyHasRole, table(pub))).toHaveLength(1);
  });

  it("fail a grant to anon on a tenant table, not on the public catalog", async () => {
    const grants = [...tenantTable.grants, { role: "anon", privileges: ["select"] }];
    expect(await runResource(noAnonOnTenantTable, table({ ...tenantTable, grants }))).toEqual([expect.stringContaining("grants select to anon")]);
    expect(await runResource(noAnonOnTenantTable, table({ ...tenantTable, tenancy: undefined, grants }))).toEqual([]);
  });

  it("ignore other resource types", async () => {
    expect(await runResource(tableRls, resource(TYPES.namespace, "ns", {}))).toEqual([]);
  });
});

describe("@pulumi/postgresql grants to anon", () => {
  const tables = [table(tenantTable)];
  it("fail a Grant on all tables of a schema holding tenant tables, and on a named tenant table", async () => {
    const all = resource(TYPES.pgGrant, "g", { role: "anon", objectType: "table", schema: "public", objects: [], privileges: ["SELECT"] });
    const named = resource(TYPES.pgGrant, "g2", { role: "anon", objectType: "table", schema: "public", objects: ["tasks"], privileges: ["SELECT"] });
    expect(await runStack(noAnonPgGrant, [...tables, all, named])).toHaveLength(2);
  });
  it("pass a revoke (no privileges), another table, or another role", async () => {
    const revoke = resource(TYPES.pgDefaultPrivileges, "d", { role: "anon", objectType: "table", schema: "public", privileges: [] });
    const other = resource(TYPES.pgGrant, "g", { role: "anon", objectType: "table", schema: "public", objects: ["virtual_employees"], privileges: ["SELECT"] });
    const reader = resource(TYPES.pgGrant, "g3", { role: "ve_plan_reader", objectType: "table", schema: "public", objects: [], privileges: ["SELECT"] });
    expect(await runStack(noAnonPgGrant, [...tables, revoke, other, reader])).toEqual([]);
  });
  it("fail default privileges giving anon new tables", async () => {
    const grant = resource(TYPES.pgDefaultPrivileges, "d", { role: "anon", objectType: "table", schema: "public", privileges: ["SELECT"] });
    expect(await runStack(noAnonPgGrant, [...tables, grant])).toEqual([expect.stringContaining("default privileges give anon")]);
  });
});

describe("cluster rules on the objects k8s/ builds", () => {
  const customerIds = ["0b8f3c1e-5d4a-4e2f-9b1c-0a1b2c3d4e01", "0b8f3c1e-5d4a-4e2f-9b1c-0a1b2c3d4e02"];
  const built = buildTenancyObjects(parseTenancyConfig({
    customers: customerIds.map((id) => ({ id })),
    cluster: { podCidrs: ["10.244.0.0/16"], serviceCidrs: ["10.96.0.0/12"], gateway: { podLabels: { "gateway.networking.k8s.io/gateway-name": "agent-gateway" } } },
  }));
  const typeOf = (kind: string): string =>
    kind === "NetworkPolicy" ? TYPES.networkPolicy : kind === "ServiceAccount" ? TYPES.serviceAccount : kind === "Namespace" ? TYPES.namespace : `kubernetes:other:${kind}`;
  const asResource = (o: { kind: string; metadata: { name: string } }): PolicyResource => resource(typeOf(o.kind), o.metadata.name, o as unknown as Record<string, unknown>);
  const stack = (): PolicyResource[] => [
    asResource(built.namespace),
    ...built.namespaceScoped.map(asResource),
    ...built.customers.flatMap((c) => [resource(TYPES.customer, `customer-${c.customer.id}`, { customerId: c.customer.id }), ...c.objects.map(asResource)]),
  ];

  it("the pack's customer label is the program's", () => {
    expect(CUSTOMER_LABEL).toBe(PROGRAM_CUSTOMER_LABEL);
  });

  it("pass on what the program builds", async () => {
    for (const p of allPolicies) {
      if ("validateStack" in p) expect(await runStack(p, stack())).toEqual([]);
      else for (const r of stack()) expect(await runResource(p, r)).toEqual([]);
    }
  });

  it("fail a namespace without its default deny", async () => {
    const without = stack().filter((r) => !(r.type === TYPES.networkPolicy && r.name === "default-deny-all"));
    expect(await runStack(namespaceDefaultDeny, without)).toEqual([expect.stringContaining("agents-system has no default-deny")]);
    // A "deny" that still allows something is not a default deny.
    const leaky = stack().map((r) => r.name === "default-deny-all" ? resource(r.type, r.name, { ...r.props, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], egress: [{}] } }) : r);
    expect(await runStack(namespaceDefaultDeny, leaky)).toHaveLength(1);
  });

  it("fail a customer without its ServiceAccount or without its NetworkPolicy", async () => {
    const [a, b] = customerIds;
    const noSa = stack().filter((r) => !(r.type === TYPES.serviceAccount && (r.props.metadata as { labels: Record<string, string> }).labels[CUSTOMER_LABEL] === a));
    expect(await runStack(customerIsolated, noSa)).toEqual([`customer ${a} has no ServiceAccount labelled ${CUSTOMER_LABEL}=${a}`]);
    const noNp = stack().filter((r) => !(r.type === TYPES.networkPolicy && r.name.startsWith(`tenant-${b}`)));
    expect(await runStack(customerIsolated, noNp)).toEqual([expect.stringContaining(`customer ${b} has no NetworkPolicy`)]);
  });

  it("fail a ServiceAccount that mounts its token", async () => {
    const sa = built.customers[0].objects.find((o) => o.kind === "ServiceAccount");
    expect(await runResource(serviceAccountNoToken, resource(TYPES.serviceAccount, "sa", { ...sa, automountServiceAccountToken: true }))).toHaveLength(1);
    expect(await runResource(serviceAccountNoToken, resource(TYPES.serviceAccount, "sa", { metadata: { name: "x" } }))).toHaveLength(1);
  });
});
