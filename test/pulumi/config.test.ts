/**
 * parseStackConfig: the committed stack files parse, both value shapes (stack-file YAML
 * and pulumi.Config JSON text) mean the same, and every bad value stops the run with
 * the full key and the fix.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { StackConfigError, parseStackConfig } from "../../config/stack";

const root = join(__dirname, "..", "..");
const SECURE = { secure: "v1:AAAAAAAAAAAAAAAA" };

function stackFile(stack: string): Record<string, unknown> {
  return (parse(readFileSync(join(root, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> }).config;
}

function withSecrets(values: Record<string, unknown>): Record<string, unknown> {
  return { ...values, "ve-infra:databasePassword": SECURE, "ve-infra:planReaderPassword": SECURE };
}

function problemOf(values: Record<string, unknown>, options = {}): string {
  try {
    parseStackConfig(values, options);
  } catch (e) {
    expect(e).toBeInstanceOf(StackConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a StackConfigError");
}

describe("committed stack files", () => {
  for (const stack of ["dev", "staging", "prod"]) {
    it(`${stack}: holds no secret value and parses once secrets are set`, () => {
      const text = readFileSync(join(root, `Pulumi.${stack}.yaml`), "utf8");
      expect(text).not.toMatch(/secure:|databasePassword:|planReaderPassword:/);
      const values = stackFile(stack);
      const cfg = parseStackConfig(withSecrets(values), { stack });
      expect(cfg.databasePasswordSet).toBe(true);
      expect(cfg.tenancy.customers.length).toBeGreaterThan(0);
      expect(cfg.protectData).toBe(stack === "prod");
      // The command line reads the same file without the secrets it cannot decrypt.
      expect(parseStackConfig(values, { stack, requireSecrets: false }).database).toEqual(cfg.database);
    });
  }

  it("a missing password secret names the command that sets it", () => {
    const msg = problemOf(stackFile("dev"), { stack: "dev" });
    expect(msg).toContain("ve-infra:databasePassword: is not set");
    expect(msg).toContain("pulumi config set --secret databasePassword");
    expect(msg).toContain("pulumi config set --secret planReaderPassword");
  });
});

describe("parseStackConfig", () => {
  const dev = withSecrets(stackFile("dev"));

  it("reads pulumi.Config's JSON text the same as stack-file YAML, with or without the project prefix", () => {
    const asConfig = Object.fromEntries(Object.entries(dev)
      .filter(([k]) => k.startsWith("ve-infra:"))
      .map(([k, v]) => [k.slice("ve-infra:".length), typeof v === "object" && !("secure" in (v as object)) ? JSON.stringify(v) : v === false ? "false" : v]));
    expect(parseStackConfig(asConfig)).toEqual(parseStackConfig(dev));
  });

  it("applies the database defaults and coerces string numbers and booleans", () => {
    const cfg = parseStackConfig({ ...dev, "ve-infra:database": { host: "db", port: "6543", superuser: "true" } });
    expect(cfg.database).toEqual({ host: "db", port: 6543, database: "postgres", user: "postgres", sslmode: "require", superuser: true });
  });

  it("names a malformed customer id by its full key", () => {
    const customers = [...(dev["ve-infra:customers"] as unknown[]), { id: "not-a-uuid" }];
    const msg = problemOf({ ...dev, "ve-infra:customers": customers });
    expect(msg).toContain("ve-infra:customers[2].id");
    expect(msg).toContain("not a lower-case uuid");
    expect(msg).toContain("Fix:");
  });

  it("refuses a duplicate customer", () => {
    const first = (dev["ve-infra:customers"] as unknown[])[0];
    expect(problemOf({ ...dev, "ve-infra:customers": [first, first] })).toContain("ve-infra:customers[1].id");
  });

  it("refuses a password committed in plain text without printing it", () => {
    const msg = problemOf({ ...dev, "ve-infra:databasePassword": "hunter2-plain" });
    expect(msg).toContain("ve-infra:databasePassword: is stored in plain text");
    expect(msg).not.toContain("hunter2-plain");
  });

  it("refuses a password inside the database object", () => {
    const msg = problemOf({ ...dev, "ve-infra:database": { host: "db", password: "x" } });
    expect(msg).toContain("ve-infra:database.password");
    expect(msg).toContain("pulumi config set --secret databasePassword");
  });

  it("reports every problem at once, each with its key", () => {
    const msg = problemOf({ ...dev, "ve-infra:platform": "mysql", "ve-infra:database": { host: "db", sslmode: "prefer", port: 70000 } });
    expect(msg).toContain("ve-infra:platform");
    expect(msg).toContain("ve-infra:database.sslmode");
    expect(msg).toContain("ve-infra:database.port");
  });

  it("refuses unknown keys of the project and ignores other namespaces", () => {
    expect(problemOf({ ...dev, "ve-infra:customer": [] })).toMatch(/ve-infra:customer: is not a key of this project.*did you mean customers/);
    expect(() => parseStackConfig({ ...dev, "kubernetes:context": "x", "pulumi:disable-default-providers": ["kubernetes"] })).not.toThrow();
  });

  it("requires protectData on prod", () => {
    expect(problemOf({ ...dev, "ve-infra:protectData": false }, { stack: "prod" })).toContain("ve-infra:protectData: must be true on the prod stack");
  });

  it("prefixes tenancy errors from k8s/ with the project", () => {
    const cluster = { ...(dev["ve-infra:cluster"] as object), podCidrs: ["10.0.0.1/8"] };
    expect(problemOf({ ...dev, "ve-infra:cluster": cluster })).toContain("ve-infra:cluster.podCidrs[0]");
  });

  it("reads the kubernetes key", () => {
    expect(parseStackConfig({ ...dev, "ve-infra:kubernetes": { renderYamlTo: "out/k8s" } }).kubernetes).toEqual({ renderYamlTo: "out/k8s" });
    expect(problemOf({ ...dev, "ve-infra:kubernetes": { contxt: "x" } })).toContain("ve-infra:kubernetes.contxt");
  });
});
