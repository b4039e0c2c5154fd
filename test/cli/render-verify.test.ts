/**
 * `render` writes the schema and one YAML file per object; `verify --manifests`
 * reads those files back and fails (exit 3) when an edit to them lets one customer
 * reach another, or when a stack file is invalid (exit 1, naming the key).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorLines, runCli } from "./run";

describe("render and verify --manifests", () => {
  let out: string;
  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), "ve-render-"));
  });
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it("writes schema.sql and every object, numbered in apply order", async () => {
    const r = await runCli(["render", "--out", out]);
    expect(r.code).toBe(0);
    const schema = fs.readFileSync(path.join(out, "schema.sql"), "utf8");
    for (const t of ["customers", "virtual_employees", "customer_ves", "tasks", "messages", "token_usage", "ve_connections", "api_keys", "security_audit_log", "agent_memory"]) {
      expect(schema).toMatch(new RegExp(`create table[^;(]*\\b${t}\\b`, "i"));
    }
    const files = fs.readdirSync(path.join(out, "k8s")).sort();
    expect(files[0]).toMatch(/^00-namespace-agents-system\.yaml$/);
    const kinds = files.map((f) => (parseAllDocuments(fs.readFileSync(path.join(out, "k8s", f), "utf8"))[0].toJS() as { kind: string }).kind);
    expect(kinds.filter((k) => k === "ServiceAccount")).toHaveLength(2);
    expect(kinds).toContain("NetworkPolicy");
  });

  it("verify passes over the written files", async () => {
    const r = await runCli(["verify", "--skip-database", "--manifests", path.join(out, "k8s"), "--matrix"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Reachability: no customer reaches another \(2 ordered pairs/);
    expect(r.stdout).toMatch(/probes: /);
  });

  it("verify fails when an added policy lets every pod in", async () => {
    const dir = path.join(out, "k8s");
    fs.writeFileSync(
      path.join(dir, "99-networkpolicy-allow-all.yaml"),
      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-all\n  namespace: agents-system\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n  ingress: [{}]\n  egress: [{}]\n",
    );
    const r = await runCli(["verify", "--skip-database", "--manifests", dir]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/customer \S+ reaches customer \S+/);
    // Rendering again removes what is not in the configuration.
    expect((await runCli(["render", "--out", out])).code).toBe(0);
    expect(fs.existsSync(path.join(dir, "99-networkpolicy-allow-all.yaml"))).toBe(false);
  });

  it("renders for a stack from its Pulumi.<stack>.yaml", async () => {
    const r = await runCli(["render", "--out", path.join(out, "dev"), "--stack", "dev"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Pulumi.dev.yaml");
  });

  it("an invalid stack file stops with the key and the fix", async () => {
    const stacks = path.join(out, "stacks");
    fs.mkdirSync(stacks);
    const file = path.join(stacks, "Pulumi.broken.yaml");
    fs.writeFileSync(file, "config:\n  ve-infra:platform: postgres\n  ve-infra:customers:\n    - id: NOT-A-UUID\n  ve-infra:cluster:\n    podCidrs: [10.244.0.0/16]\n    serviceCidrs: [10.96.0.0/12]\n    gateway: {podLabels: {app: gw}}\n  ve-infra:database: {host: db.example}\n");
    try {
      const r = await runCli(["render", "--out", path.join(out, "broken"), "--stack", "broken"], { env: { VE_INFRA_STACK_DIR: stacks } });
      expect(r.code).toBe(1);
      expect(errorLines(r)[0]).toMatch(/^error: invalid stack configuration: ve-infra:customers\[0\]\.id/);
      expect(errorLines(r)[1]).toMatch(/^hint: /);
    } finally {
      fs.rmSync(file);
    }
  });
});
