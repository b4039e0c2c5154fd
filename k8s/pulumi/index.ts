/** Registers the k8s/ tenancy objects with @pulumi/kubernetes. */
export { Tenancy, Customer, type TenancyArgs, type CustomerArgs } from "./tenancy";
export { kubernetesProvider, type KubernetesProviderArgs } from "./provider";
export { registerObject, SUPPORTED_KINDS } from "./register";
