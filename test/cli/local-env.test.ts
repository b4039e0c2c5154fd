/**
 * End to end, as on a fresh machine: the README's local command (`npm start`, after
 * `npm ci`, which the copy replaces with a node_modules symlink) run in a copy of the
 * repository, on a free port. It must leave a running PostgreSQL that holds the
 * model (a plan after it is empty), passes the isolation suite, and rendered
 * manifests that pass the reachability check; `down` must stop the server.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../cli/local/postgres";
import { REPO, runCli, type Run } from "./run";

const SKIP = new Set(["node_modules", ".git", ".work", "dist", "out"]);

function copyRepo(to: string): void {
  fs.cpSync(REPO, to, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(REPO, src);
      return rel === "" || !SKIP.has(rel.split(path.sep)[0]);
    },
  });
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(to, "node_modules"), "dir");
}

function npmStart(cwd: string, args: string[]): Promise<Run & { ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["start", "--", ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", npm_config_update_notifier: "false" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started }));
  });
}

interface State {
  port: number;
  password: string;
  dataDir: string;
}

describe("npm start: the local environment", () => {
  let root: string;
  let repo: string;
  let port: number;
  let up: Run & { ms: number };
  let state: State;
  const bin = (): string => path.join(repo, "bin", "ve-infra.js");

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ve-infra-e2e-"));
    // As root the server runs as user postgres, which must get through to .work/local.
    fs.chmodSync(root, 0o755);
    repo = path.join(root, "repo");
    copyRepo(repo);
    port = await freePort();
    up = await npmStart(repo, ["--port", String(port)]);
    const file = path.join(repo, ".work", "local", "state.json");
    if (fs.existsSync(file)) state = JSON.parse(fs.readFileSync(file, "utf8")) as State;
  }, 600_000);

  afterAll(async () => {
    if (state) await runCli(["down", "--purge"], { cwd: repo, bin: bin() });
    fs.rmSync(root, { recursive: true, force: true });
  }, 120_000);

  it("comes up, verified, and says where everything is", () => {
    if (up.code !== 0) console.error(up.stdout, up.stderr);
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/Local environment ready in [\d.]+s\./);
    expect(up.stdout).toContain(`127.0.0.1:${port}/ve`);
    expect(up.stdout).toMatch(/Isolation: (\d+)\/\1 attempts behaved as required; 0 breach/);
    expect(up.stdout).toMatch(/Reachability: no customer reaches another/);
    console.info(`npm start (fresh cluster, model, seed, render, verify): ${(up.ms / 1000).toFixed(1)}s`);
  });

  it("never prints the generated password", () => {
    expect(state.password.length).toBeGreaterThan(10);
    expect(up.stdout + up.stderr).not.toContain(state.password);
    expect(up.stdout).toContain("postgres://postgres:****@");
  });

  it("leaves a server running after the command ended, holding the seeded demo customers", async () => {
    const client = new Client({ host: "127.0.0.1", port, user: "postgres", password: state.password, database: "ve" });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>("select count(*) as n from public.customers");
      expect(Number(rows[0].n)).toBe(2);
    } finally {
      await client.end();
    }
  });

  it("holds the model: a plan afterwards has nothing to do", async () => {
    const r = await runCli(["plan", "--detailed-exitcode"], { cwd: repo, bin: bin() });
    expect(r.stderr).toMatch(/No changes/);
    expect(r.code).toBe(0);
  });

  it("wrote schema.sql and manifests that pass the reachability check", async () => {
    const out = path.join(repo, ".work", "local", "out");
    expect(fs.readFileSync(path.join(out, "schema.sql"), "utf8")).toMatch(/create table/i);
    const manifests = fs.readdirSync(path.join(out, "k8s"));
    expect(manifests.some((f) => f.includes("namespace-agents-system"))).toBe(true);
    expect(manifests.filter((f) => f.includes("serviceaccount"))).toHaveLength(2);
    const r = await runCli(["verify", "--skip-database", "--manifests", path.join(out, "k8s")], { cwd: repo, bin: bin() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Reachability: no customer reaches another \(2 ordered pairs/);
  });

  it("down stops the server", async () => {
    const r = await runCli(["down"], { cwd: repo, bin: bin() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Stopped PostgreSQL on 127.0.0.1:${port}`);
    const client = new Client({ host: "127.0.0.1", port, user: "postgres", password: state.password, database: "ve", connectionTimeoutMillis: 2000 });
    await expect(client.connect()).rejects.toThrow();
    await client.end().catch(() => undefined);
  });
});
