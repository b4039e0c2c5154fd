/**
 * The local environment's two demo customers and a kind-like cluster. The same ids
 * are seeded into the database (auth.users, customers) and given ServiceAccounts and
 * NetworkPolicies, so the database and the manifests describe the same tenants.
 */
export const DEMO_CUSTOMERS = [
  { id: "a11ce000-0000-4000-8000-000000000001", slug: "acme", email: "ops@acme.example", company: "Acme Robotics" },
  { id: "b0b00000-0000-4000-8000-000000000002", slug: "globex", email: "it@globex.example", company: "Globex Corporation" },
] as const;

/** The raw form of a stack's `customers` and `cluster` keys, as parseTenancyConfig takes it. */
export const DEMO_TENANCY = {
  customers: DEMO_CUSTOMERS.map((c) => ({ id: c.id, slug: c.slug })),
  cluster: {
    namespace: "agents-system",
    // kind's defaults.
    podCidrs: ["10.244.0.0/16"],
    serviceCidrs: ["10.96.0.0/12"],
    nodeCidrs: ["172.18.0.0/16"],
    gateway: { namespace: "kgateway-system", podLabels: { "app.kubernetes.io/name": "agentgateway-proxy" }, port: 8080 },
    database: { cidrs: ["172.19.0.10/32"], port: 5432 },
  },
};
