/**
 * The agents' tenancy as Pulumi resources: the objects come from k8s/ (pure), this
 * file only parents and orders them. Order follows the take-over (k8s/takeover.ts):
 * the namespace, then every allowance, then the default deny and the admission policy,
 * then the legacy allow-all policies emptied in place. Removing a name from
 * `cluster.legacyNetworkPolicies` on the next run deletes the emptied policy.
 */
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_DENY_POLICY, buildTenancyObjects, type CustomerConfig, type KubeObject, type TenancyConfig } from "../index";
import { registerObject } from "./register";

export interface TenancyArgs {
  /** The validated `customers` + `cluster` configuration (k8s/config.ts). */
  readonly config: TenancyConfig;
  /** protect + retainOnDelete on the namespace and ServiceAccounts (prod): a mistaken delete must not take agents down. */
  readonly protect: boolean;
}

export interface CustomerArgs {
  readonly customer: CustomerConfig;
  /** The customer's objects from k8s/: its ServiceAccount and intra-customer NetworkPolicies. */
  readonly objects: readonly KubeObject[];
  readonly namespace: pulumi.Resource;
  readonly protect: boolean;
}

/** One customer's objects, grouped so a preview shows them together. */
export class Customer extends pulumi.ComponentResource {
  readonly serviceAccountName: string;
  readonly resources: readonly pulumi.CustomResource[];

  constructor(name: string, args: CustomerArgs, opts?: pulumi.ComponentResourceOptions) {
    const sa = args.objects.find((o) => o.kind === "ServiceAccount");
    if (!sa) throw new Error(`customer ${args.customer.id}: k8s/ built no ServiceAccount`);
    // These inputs are what the policy pack reads to know which customers must be isolated.
    super("ve:k8s:Customer", name, { customerId: args.customer.id, slug: args.customer.slug, serviceAccountName: sa.metadata.name }, opts);
    this.serviceAccountName = sa.metadata.name;
    this.resources = args.objects.map((o) =>
      registerObject(o, {
        parent: this,
        dependsOn: [args.namespace],
        ...(o.kind === "ServiceAccount" && args.protect ? { protect: true, retainOnDelete: true } : {}),
      }),
    );
    this.registerOutputs({ serviceAccountName: this.serviceAccountName });
  }
}

export class Tenancy extends pulumi.ComponentResource {
  readonly namespace: pulumi.Output<string>;
  /** Customer id -> ServiceAccount name (what kagent Agents name in serviceAccountName). */
  readonly serviceAccounts: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: TenancyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ve:k8s:Tenancy", name, { namespace: args.config.cluster.namespace, customers: args.config.customers.length }, opts);
    const objects = buildTenancyObjects(args.config);
    const keep = args.protect ? { protect: true, retainOnDelete: true } : {};

    const ns = registerObject(objects.namespace, { parent: this, ...keep });
    const after = (deps: pulumi.Resource[]): pulumi.CustomResourceOptions => ({ parent: this, dependsOn: deps });

    const isDefaultDeny = (o: KubeObject): boolean => o.kind === "NetworkPolicy" && o.metadata.name === DEFAULT_DENY_POLICY;
    const allows = objects.namespaceScoped.filter((o) => !isDefaultDeny(o)).map((o) => registerObject(o, after([ns])));

    const customers = objects.customers.map(
      ({ customer, objects: own }) =>
        new Customer(`customer-${customer.id}`, { customer, objects: own, namespace: ns, protect: args.protect }, { parent: this }),
    );

    // The deny goes in only once the namespace-wide allowances exist, so running agents
    // never sit isolated without DNS and gateway access. (Per-customer policies only
    // join a customer's own pods; waiting on thousands of them would buy nothing.)
    const denies = objects.namespaceScoped.filter(isDefaultDeny).map((o) => registerObject(o, after([ns, ...allows])));

    // Admission last: it must not refuse pods of agents that are still being relabelled.
    let previous: pulumi.Resource[] = [ns, ...denies, ...customers];
    for (const o of objects.admission) previous = [registerObject(o, after(previous))];

    // Legacy allow-all policies are emptied only after the deny and the namespace-wide allowances exist.
    for (const o of objects.legacyCleanup.neutralised) registerObject(o, after([ns, ...denies, ...allows]));

    this.namespace = pulumi.output(objects.namespace.metadata.name);
    this.serviceAccounts = pulumi.output(Object.fromEntries(customers.map((c, i) => [objects.customers[i].customer.id, c.serviceAccountName])));
    this.registerOutputs({ namespace: this.namespace, serviceAccounts: this.serviceAccounts });
  }
}
