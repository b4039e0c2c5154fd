/**
 * Turns one plain object from k8s/ into the matching typed @pulumi/kubernetes resource.
 * Typed classes (rather than a generic CustomResource) give each object its real type
 * token (`kubernetes:networking.k8s.io/v1:NetworkPolicy`), which the policy pack and
 * reviewers match on. The logical name is the object's `metadata.name`: unique per kind
 * within the one namespace, readable in a preview, and stable across runs.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { KubeObject } from "../index";

type Registrar = (name: string, obj: KubeObject, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/*
 * k8s/ builds these objects as plain data in the exact shape of the Kubernetes API, so
 * the cast to each class's Args is the boundary between the two type systems: the
 * shapes are checked by k8s/'s own validation tests, not by these signatures.
 */
const registrars: Record<string, Registrar> = {
  "v1/Namespace": (n, o, opts) => new k8s.core.v1.Namespace(n, o as unknown as k8s.core.v1.NamespaceArgs, opts),
  "v1/ServiceAccount": (n, o, opts) => new k8s.core.v1.ServiceAccount(n, o as unknown as k8s.core.v1.ServiceAccountArgs, opts),
  "v1/LimitRange": (n, o, opts) => new k8s.core.v1.LimitRange(n, o as unknown as k8s.core.v1.LimitRangeArgs, opts),
  "v1/ResourceQuota": (n, o, opts) => new k8s.core.v1.ResourceQuota(n, o as unknown as k8s.core.v1.ResourceQuotaArgs, opts),
  "networking.k8s.io/v1/NetworkPolicy": (n, o, opts) =>
    new k8s.networking.v1.NetworkPolicy(n, o as unknown as k8s.networking.v1.NetworkPolicyArgs, opts),
  "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy": (n, o, opts) =>
    new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(n, o as unknown as k8s.admissionregistration.v1.ValidatingAdmissionPolicyArgs, opts),
  "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding": (n, o, opts) =>
    new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
      n, o as unknown as k8s.admissionregistration.v1.ValidatingAdmissionPolicyBindingArgs, opts),
};

export const SUPPORTED_KINDS = Object.keys(registrars);

/** Registers `obj`; an unknown kind is a programming error in k8s/, reported by name. */
export function registerObject(obj: KubeObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  const key = `${obj.apiVersion}/${obj.kind}`;
  const registrar = registrars[key];
  if (!registrar) throw new Error(`k8s/pulumi cannot register ${key} ${obj.metadata.name}: add it to registrars in k8s/pulumi/register.ts`);
  return registrar(obj.metadata.name, obj, opts);
}
