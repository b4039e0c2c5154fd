/**
 * The GitHub Actions workflows: schema-valid for @action-validator/core, and
 * shaped as the issue asks (PR preview + SQL plan comment per environment, deploy
 * dev -> staging -> prod with prod behind an environment, OIDC not keys, a drift
 * schedule that fails on security drift). Every `ve-infra` invocation in a `run:`
 * is parsed with the CLI's own flag declarations, which the validator cannot do.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseFlags } from "../../cli/args";
import { COMMANDS } from "../../cli/main";

const DIR = path.resolve(__dirname, "../../.github/workflows");
const files = fs.readdirSync(DIR).filter((f) => f.endsWith(".yml"));

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  "continue-on-error"?: boolean;
}
interface Job {
  needs?: string | string[];
  uses?: string;
  with?: Record<string, unknown>;
  environment?: string;
  permissions?: Record<string, string>;
  steps?: Step[];
  strategy?: { matrix?: Record<string, unknown> };
  if?: string;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const text = (f: string): string => fs.readFileSync(path.join(DIR, f), "utf8");
const load = (f: string): Workflow => parse(text(f)) as Workflow;
const steps = (w: Workflow): Step[] => Object.values(w.jobs).flatMap((j) => j.steps ?? []);

describe("workflows are valid for @action-validator/core", () => {
  it("finds the four workflows", () => {
    expect(files.sort()).toEqual(["deploy-stack.yml", "deploy.yml", "drift.yml", "pull-request.yml"]);
  });

  it.each(files)("%s has no validation errors", (f) => {
    const state = validateWorkflow(text(f));
    expect(state.errors.map((e) => `${e.code}: ${e.title}${"path" in e ? ` at ${e.path}` : ""}`)).toEqual([]);
  });

  it("the validator does reject a broken workflow (so the check above can fail)", () => {
    const broken = text("deploy.yml").replace("needs: staging", "needs: stagin");
    expect(validateWorkflow(broken).errors.map((e) => e.code)).toContain("unresolved_job");
  });
});

describe("every ve-infra invocation uses real commands and flags", () => {
  const invocations = files.flatMap((f) =>
    steps(load(f)).flatMap((s) => (s.run ?? "").split("\n").filter((l) => /\bve-infra\s/.test(l)).map((l) => ({ f, line: l.trim() }))),
  );

  it("there are invocations to check", () => {
    expect(invocations.length).toBeGreaterThanOrEqual(3);
  });

  it.each(invocations)("$f: $line", ({ line }) => {
    // Expressions stand for one word each (a stack name, a URL).
    const words = (line.replace(/\$\{\{[^}]*\}\}/g, "EXPR").split(/\bve-infra\s+/)[1] ?? "").split(/\s*[|>;]/)[0].trim().split(/\s+/).map((w) => w.replace(/^"|"$/g, ""));
    const [verb, ...args] = words;
    const command = COMMANDS.find((c) => c.name === verb);
    expect(command, `unknown command ${verb}`).toBeDefined();
    expect(() => parseFlags(verb, command!.specs, args)).not.toThrow();
  });
});

describe("pull request workflow", () => {
  const w = load("pull-request.yml");
  const preview = w.jobs.preview;

  it("runs on pull requests, previewing each environment", () => {
    expect(Object.keys(w.on)).toEqual(["pull_request"]);
    expect(preview.strategy?.matrix?.stack).toEqual(["dev", "staging", "prod"]);
    expect(preview.needs).toBe("test");
    expect(preview.permissions).toMatchObject({ "pull-requests": "write", "id-token": "write" });
  });

  it("comments pulumi preview with pulumi/actions", () => {
    const step = preview.steps!.find((s) => s.uses?.startsWith("pulumi/actions@"));
    expect(step?.with).toMatchObject({ command: "preview", "comment-on-pr": true });
  });

  it("comments the SQL plan per environment, from the read-only role", () => {
    const plan = preview.steps!.find((s) => s.run?.includes("ve-infra plan"));
    expect(plan?.run).toContain("--format markdown");
    expect(plan?.env?.PLAN_DATABASE_URL).toBe("${{ secrets.PLAN_DATABASE_URL }}");
    const comment = preview.steps!.find((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment@"));
    expect(comment?.with).toMatchObject({ path: "plan.md" });
    expect(String(comment?.with?.header)).toContain("${{ matrix.stack }}");
    // Read-only environments: a pull request never gets applier credentials.
    expect(preview.environment).toBe("${{ matrix.stack }}-read");
  });
});

describe("deploy workflow", () => {
  const w = load("deploy.yml");
  const stack = load("deploy-stack.yml");

  it("deploys on push to main, dev then staging then prod", () => {
    expect(w.on).toMatchObject({ push: { branches: ["main"] } });
    expect(w.jobs.dev).toMatchObject({ needs: "test", with: { stack: "dev" } });
    expect(w.jobs.staging).toMatchObject({ needs: "dev", with: { stack: "staging" } });
    expect(w.jobs.prod).toMatchObject({ needs: "staging", with: { stack: "prod" } });
    for (const j of ["dev", "staging", "prod"]) {
      expect(w.jobs[j].uses).toBe("./.github/workflows/deploy-stack.yml");
      expect(w.jobs[j].permissions?.["id-token"]).toBe("write");
    }
  });

  it("runs each stack in its GitHub environment (prod's required reviewers apply) with pulumi up", () => {
    expect(Object.keys(stack.on)).toEqual(["workflow_call"]);
    expect(stack.jobs.up.environment).toBe("${{ inputs.stack }}");
    const up = stack.jobs.up.steps!.find((s) => s.uses?.startsWith("pulumi/actions@"));
    expect(up?.with).toMatchObject({ command: "up" });
  });

  it("gets cloud credentials by OIDC, never from stored keys", () => {
    const aws = stack.jobs.up.steps!.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    expect(aws?.with?.["role-to-assume"]).toBeTruthy();
    for (const f of files) {
      expect(text(f)).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY|PULUMI_ACCESS_TOKEN/);
    }
  });
});

describe("drift workflow", () => {
  const w = load("drift.yml");

  it("runs on a schedule and fails on security drift", () => {
    expect(Object.keys(w.on)).toContain("schedule");
    const drift = w.jobs.drift.steps!.find((s) => s.run?.includes("ve-infra drift"));
    expect(drift).toBeDefined();
    // drift exits 3 on security drift; the step must let that fail the job.
    expect(drift?.["continue-on-error"]).toBeUndefined();
    expect(drift?.run).toContain("set -o pipefail");
  });
});

describe("actions are pinned", () => {
  it("every uses: names a version", () => {
    for (const f of files) {
      for (const s of steps(load(f))) if (s.uses && !s.uses.startsWith("./")) expect(s.uses, `${f}`).toMatch(/@(v\d+(\.\d+)*|[0-9a-f]{40})$/);
    }
  });
});
