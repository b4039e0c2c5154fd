/**
 * Exit codes and messages of mistakes the CLI catches before touching a database:
 * each is exit 1 with exactly one `error:` line and one `hint:` line, no stack trace.
 */
import { describe, expect, it } from "vitest";
import { parseFlags } from "../../cli/args";
import { CliError } from "../../cli/errors";
import { maskSecrets, maskUrl } from "../../cli/mask";
import { errorLines, runCli, type Run } from "./run";

function expectOneLineError(r: Run, pattern: RegExp): void {
  expect(r.code).toBe(1);
  const lines = errorLines(r);
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(pattern);
  expect(lines[1]).toMatch(/^hint: \S/);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe("ve-infra flags and usage", () => {
  it("prints the usage and exits 1 without a command, 0 with --help", async () => {
    const none = await runCli([]);
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(/Usage: ve-infra <command>/);
    for (const verb of ["plan", "apply", "drift", "render", "verify", "up", "down"]) expect(none.stdout).toContain(`  ${verb} `);
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
  });

  it("shows each command's usage and flags with --help", async () => {
    const r = await runCli(["plan", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: ve-infra plan/);
    expect(r.stdout).toContain("--detailed-exitcode");
    expect(r.stdout).toContain("--format F");
  });

  it("rejects an unknown command", async () => {
    expectOneLineError(await runCli(["deploy"]), /^error: unknown command "deploy"/);
  });

  it("rejects an unknown flag, naming it", async () => {
    const r = await runCli(["plan", "--formt", "sql"]);
    expectOneLineError(r, /^error: unknown flag --formt/);
    expect(errorLines(r)[1]).toContain("ve-infra plan --help");
  });

  it("rejects a format that does not exist", async () => {
    expectOneLineError(await runCli(["plan", "--format", "yaml"]), /^error: --format must be one of text, sql, json, markdown, got "yaml"/);
  });

  it("rejects a flag without its value", async () => {
    expectOneLineError(await runCli(["plan", "--database-url"]), /^error: --database-url needs a value/);
  });

  it("rejects a database URL that is not one", async () => {
    expectOneLineError(await runCli(["plan", "--database-url", "mysql://x@y/z"]), /^error: --database-url must start with postgres:\/\//);
  });

  it("names a missing stack file and lists none when there are none", async () => {
    expectOneLineError(await runCli(["plan", "--stack", "nosuchstack"]), /^error: no stack file Pulumi\.nosuchstack\.yaml/);
  });

  it("requires --out for render", async () => {
    expectOneLineError(await runCli(["render"]), /^error: render needs --out DIR/);
  });

  it("reports an unreachable database in one line, without the password", async () => {
    const r = await runCli(["plan", "--database-url", "postgres://someone:s3cret-pw@127.0.0.1:1/db"]);
    expectOneLineError(r, /^error: cannot connect to 127\.0\.0\.1:1: connection refused/);
    expect(r.stdout + r.stderr).not.toContain("s3cret-pw");
    expect(r.stderr).toContain("postgres://someone:****@127.0.0.1:1/db");
  });

  it("prints the stack trace only with --verbose", async () => {
    const r = await runCli(["plan", "--verbose", "--database-url", "postgres://someone:s3cret-pw@127.0.0.1:1/db"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^\s+at /m);
    expect(r.stderr).not.toContain("s3cret-pw");
  });
});

describe("flag parser", () => {
  const specs = {
    format: { type: "string", value: "F", choices: ["a", "b"], default: "a", description: "" },
    allow: { type: "string", value: "K", multiple: true, description: "" },
    yes: { type: "boolean", description: "" },
  } as const;

  it("types and defaults values, splits repeatable lists on commas", () => {
    const f = parseFlags("x", specs, ["--allow", "p.t.a,p.t.b", "--allow", "p.u", "--yes"]);
    expect(f).toEqual({ format: "a", allow: ["p.t.a", "p.t.b", "p.u"], yes: true });
  });

  it("refuses positionals and bad choices with a CliError", () => {
    expect(() => parseFlags("x", specs, ["oops"])).toThrow(CliError);
    expect(() => parseFlags("x", specs, ["--format", "c"])).toThrow(/must be one of a, b/);
  });
});

describe("masking", () => {
  it("masks passwords in URLs and free text", () => {
    expect(maskUrl("postgres://u:p%40ss@h:5432/db?sslmode=require")).toBe("postgres://u:****@h:5432/db?sslmode=require");
    expect(maskUrl("postgres://u@h/db")).toBe("postgres://u@h/db");
    expect(maskSecrets("failed for postgresql://a:b@c/d and password=hunter2")).toBe("failed for postgresql://a:****@c/d and password=****");
  });
});
