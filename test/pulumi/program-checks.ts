/**
 * What every stack's program must register, checked under mocks: the exact resources
 * with their names and type tokens, their order, parents and providers, secrets that
 * stay secret, and protection where data lives. Each stack's test file runs the
 * program once (Pulumi's runtime is process-global) and calls these checks.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DENY_POLICY, buildTenancyObjects, parseTenancyConfig, serviceAccountName } from "../../k8s";
import { platformSchema } from "../../schema/app";
import { tableDependencies } from "../../schema/pulumi/slices";
import { allPolicies } from "../../policy/policies";
import type { PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { PROJECT, SECRETS, isSecretWrapper, plainStrings, removeCompiled, resolve, runProgram, stackConfig, type ProgramRun, type StackName } from "./harness";

const T = {
  table: "pulumi-nodejs:dynamic/ve:Table",
  fn: "pulumi-nodejs:dynamic/ve:Function",
  platform: "pulumi-nodejs:dynamic/ve:Platform",
  retired: "pulumi-nodejs:dynamic/ve:Retired",
  ns: "kubernetes:core/v1:Namespace",
  sa: "kubernetes:core/v1:ServiceAccount",
  np: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
} as const;

function kubeType(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
  return `kubernetes:${group}/${version}:${kind}`;
}

function unwrap(v: unknown): unknown {
  if (isSecretWrapper(v)) return unwrap((v as { value: unknown }).value);
  if (Array.isArray(v)) return v.map(unwrap);
  if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]));
  return v;
}

export function expectedResources(stack: StackName): string[] {
  const raw = stackConfig(stack);
  const tenancy = parseTenancyConfig({ customers: JSON.parse(raw[`${PROJECT}:customers`]), cluster: JSON.parse(raw[`${PROJECT}:cluster`]) });
  const built = buildTenancyObjects(tenancy);
  const kube = [built.namespace, ...built.namespaceScoped, ...built.customers.flatMap((c) => c.objects), ...built.admission, ...built.legacyCleanup.neutralised]
    .map((o) => `${kubeType(o.apiVersion, o.kind)}::${o.metadata.name}`);
  return [
    `pulumi:pulumi:Stack::${PROJECT}-${stack}`,
    "ve:db:Database::ve",
    "pulumi:providers:postgresql::ve-postgres",
    `${T.platform}::ve-platform`,
    ...platformSchema.schemas.map((s) => `postgresql:index/schema:Schema::ve-schema-${s}`),
    ...platformSchema.extensions.map((e) => `postgresql:index/extension:Extension::ve-extension-${e}`),
    ...platformSchema.schemas.flatMap((s) => ["anon", "authenticated"].map((r) => `postgresql:index/defaultPrivileges:DefaultPrivileges::ve-default-privileges-${s}-${r}`)),
    "postgresql:index/role:Role::ve-ve_plan_reader",
    "postgresql:index/grant:Grant::ve-ve_plan_reader-connect",
    "postgresql:index/grantRole:GrantRole::ve-ve_plan_reader-read-all-data",
    ...platformSchema.functions.map((f) => `${T.fn}::ve-${f.schema}.${f.name}`),
    ...platformSchema.tables.map((t) => `${T.table}::ve-${t.schema}.${t.name}`),
    ...(platformSchema.retired.length ? [`${T.retired}::ve-retired`] : []),
    "pulumi:providers:kubernetes::agents-k8s",
    "ve:k8s:Tenancy::agents",
    ...tenancy.customers.map((c) => `ve:k8s:Customer::customer-${c.id}`),
    ...kube,
  ].sort();
}

export function programChecks(stack: StackName): void {
  let run: ProgramRun;
  const byKey = (key: string) => {
    const r = run.resources.find((x) => x.key === key);
    if (!r) throw new Error(`not registered: ${key}`);
    return r;
  };
  const opts = (key: string) => {
    const o = run.options.get(key);
    if (!o) throw new Error(`no options recorded for ${key}`);
    return o;
  };
  const ofType = (type: string) => run.resources.filter((r) => r.type === type);

  beforeAll(async () => {
    run = await runProgram(stack);
  });
  afterAll(removeCompiled);

  describe(`${stack}: resources`, () => {
    it("registers exactly the expected resources, names and type tokens", () => {
      const keys = run.resources.map((r) => r.key).sort();
      expect(keys).toEqual(expectedResources(stack));
      expect(new Set(keys).size).toBe(keys.length);
    });

    it("names the well-known objects explicitly", () => {
      expect(byKey(`${T.ns}::agents-system`).inputs).toMatchObject({ metadata: { name: "agents-system" } });
      expect(byKey(`${T.np}::${DEFAULT_DENY_POLICY}`).inputs).toMatchObject({ metadata: { name: DEFAULT_DENY_POLICY, namespace: "agents-system" }, spec: { podSelector: {} } });
      const customers = JSON.parse(stackConfig(stack)[`${PROJECT}:customers`]) as { id: string }[];
      for (const c of customers) {
        expect(byKey(`${T.sa}::${serviceAccountName(c.id)}`).inputs).toMatchObject({ metadata: { name: `sa-${c.id}`, namespace: "agents-system" }, automountServiceAccountToken: false });
      }
      expect(byKey(`${T.table}::ve-public.tasks`).inputs).toMatchObject({ schema: "public", name: "tasks", declaration: { name: "tasks", rls: { enabled: true, forced: true } } });
    });

    it("gives each table its declaration as plain, key-sorted data", () => {
      for (const t of platformSchema.tables) {
        const inputs = byKey(`${T.table}::ve-${t.schema}.${t.name}`).inputs;
        expect(JSON.parse(JSON.stringify(inputs.declaration))).toEqual(JSON.parse(JSON.stringify(t)));
        expect(Object.keys(inputs.declaration as object)).toEqual(Object.keys(inputs.declaration as object).sort());
      }
    });

    it("uses the explicit providers, never a default one", () => {
      for (const r of run.resources) {
        if (r.type.startsWith("kubernetes:")) expect(r.provider, r.key).toMatch(/pulumi:providers:kubernetes::agents-k8s::/);
        if (r.type.startsWith("postgresql:")) expect(r.provider, r.key).toMatch(/pulumi:providers:postgresql::ve-postgres::/);
      }
      expect(byKey("pulumi:providers:postgresql::ve-postgres").inputs).toMatchObject({ superuser: stack === "dev" ? "true" : "false" });
    });

    it("passes the policy pack", async () => {
      const resources = run.resources.map((r) => ({ type: r.type, name: r.name, urn: r.key, props: unwrap(r.inputs) }) as unknown as PolicyResource);
      const violations: string[] = [];
      for (const p of allPolicies) {
        if ("validateStack" in p) await p.validateStack({ resources } as unknown as StackValidationArgs, (m) => violations.push(m));
        else if (p.validateResource) {
          const validators = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
          for (const r of resources) for (const v of validators) await v(r as unknown as ResourceValidationArgs, (m) => violations.push(`${r.name}: ${m}`));
        }
      }
      expect(violations).toEqual([]);
    });
  });

  describe(`${stack}: order and parents`, () => {
    it("puts every table after the platform, the default privileges and the tables its foreign keys reference", () => {
      for (const t of platformSchema.tables) {
        const o = opts(`${T.table}::ve-${t.schema}.${t.name}`);
        expect(o.dependsOn).toContain(`${T.platform}::ve-platform`);
        expect(o.dependsOn).toContain("postgresql:index/defaultPrivileges:DefaultPrivileges::ve-default-privileges-public-anon");
        const deps = tableDependencies(platformSchema, t);
        for (const ref of deps.tables) expect(o.dependsOn).toContain(`${T.table}::ve-${ref}`);
        for (const fn of deps.functions) expect(o.dependsOn).toContain(`${T.fn}::ve-${fn}`);
      }
      expect(opts(`${T.table}::ve-public.tasks`).dependsOn).toContain(`${T.table}::ve-public.customers`);
    });

    it("puts tables whose triggers call a function after that function", () => {
      const withTriggers = platformSchema.tables.filter((t) => t.triggers.length > 0);
      expect(withTriggers.length).toBeGreaterThan(0);
      for (const t of withTriggers) {
        for (const tr of t.triggers) expect(opts(`${T.table}::ve-${t.schema}.${t.name}`).dependsOn).toContain(`${T.fn}::ve-${tr.function.schema}.${tr.function.name}`);
      }
    });

    it("retires old objects only after every table and function", () => {
      const o = opts(`${T.retired}::ve-retired`);
      for (const t of platformSchema.tables) expect(o.dependsOn).toContain(`${T.table}::ve-${t.schema}.${t.name}`);
    });

    it("puts every cluster object after the namespace, and the default deny after the allowances", () => {
      const kube = run.resources.filter((r) => r.type.startsWith("kubernetes:") && r.type !== T.ns);
      expect(kube.length).toBeGreaterThan(5);
      for (const r of kube) {
        const o = opts(r.key);
        const viaAdmissionChain = r.type.includes("admissionregistration");
        if (!viaAdmissionChain || r.type.endsWith("ValidatingAdmissionPolicy")) expect(o.dependsOn, r.key).toContain(`${T.ns}::agents-system`);
      }
      const deny = opts(`${T.np}::${DEFAULT_DENY_POLICY}`).dependsOn;
      const allows = ofType(T.np).filter((r) => opts(r.key).parent === "ve:k8s:Tenancy::agents" && r.name !== DEFAULT_DENY_POLICY);
      expect(allows.length).toBeGreaterThan(2);
      for (const a of allows) expect(deny).toContain(a.key);
    });

    it("parents each customer's objects under its Customer component", () => {
      for (const c of ofType("ve:k8s:Customer")) {
        expect(opts(c.key).parent).toBe("ve:k8s:Tenancy::agents");
        const id = (c.inputs as { customerId: string }).customerId;
        const children = run.resources.filter((r) => run.options.get(r.key)?.parent === c.key);
        expect(children.map((r) => r.type).sort()).toEqual(expect.arrayContaining([T.sa, T.np]));
        for (const ch of children) expect(JSON.stringify(ch.inputs)).toContain(id);
      }
      for (const r of run.resources.filter((x) => x.type.startsWith("postgresql:") || x.type.startsWith("pulumi-nodejs:"))) {
        expect(opts(r.key).parent, r.key).toBe("ve:db:Database::ve");
      }
    });
  });

  describe(`${stack}: secrets and protection`, () => {
    it("keeps the passwords secret: in outputs, provider inputs and nowhere in plain text", async () => {
      expect(await pulumi.isSecret(run.outputs.planReaderUrl)).toBe(true);
      expect(await resolve(run.outputs.planReaderUrl)).toContain(encodeURIComponent(SECRETS.planReaderPassword));
      expect(isSecretWrapper(byKey("pulumi:providers:postgresql::ve-postgres").inputs.password)).toBe(true);
      expect(isSecretWrapper(byKey("postgresql:index/role:Role::ve-ve_plan_reader").inputs.passwordWo)).toBe(true);
      for (const r of run.resources) {
        const plain = plainStrings(r.inputs).join("\n");
        expect(plain, r.key).not.toContain(SECRETS.databasePassword);
        expect(plain, r.key).not.toContain(SECRETS.planReaderPassword);
      }
      // The providers' code is serialized into every dynamic resource; no credential rides along.
      const providerText = byKey(`${T.table}::ve-public.tasks`).inputs.__provider;
      expect(typeof providerText).toBe("string");
      expect(providerText as string).not.toContain("Pa55");
    });

    it(stack === "prod" ? "protects and retains tables, schema, namespace and ServiceAccounts" : "leaves tables deletable, the schema retained", () => {
      const guarded = [...ofType(T.table), ofType(T.ns)[0], ...ofType(T.sa)];
      for (const r of guarded) {
        expect(opts(r.key).protect, r.key).toBe(stack === "prod");
        expect(opts(r.key).retainOnDelete, r.key).toBe(stack === "prod");
      }
      for (const s of ofType("postgresql:index/schema:Schema")) {
        expect(opts(s.key).retainOnDelete).toBe(true);
        expect(opts(s.key).protect).toBe(stack === "prod");
      }
      for (const r of ofType(T.np)) expect(opts(r.key).protect).toBe(false);
    });

    it("exports the namespace and each customer's ServiceAccount", async () => {
      expect(await resolve(run.outputs.namespace)).toBe("agents-system");
      const customers = JSON.parse(stackConfig(stack)[`${PROJECT}:customers`]) as { id: string }[];
      expect(await resolve(run.outputs.serviceAccounts)).toEqual(Object.fromEntries(customers.map((c) => [c.id, `sa-${c.id}`])));
      expect(await resolve(run.outputs.tables)).toHaveLength(platformSchema.tables.length);
    });
  });
}
