/**
 * `up --database-url`: uses a server it did not start, so it applies the platform
 * schema and verifies, but seeds demo rows only when told to (--seed).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, pgServers, type TestDatabase } from "../support/db";
import { runCli } from "./run";

describe("ve-infra up --database-url", () => {
  let db: TestDatabase;
  let out: string;
  const customers = async (): Promise<number> => Number((await (await db.client()).query<{ n: string }>("select count(*) as n from public.customers")).rows[0].n);

  beforeAll(async () => {
    db = await createTestDatabase(pgServers()[0], "cliup");
    out = fs.mkdtempSync(path.join(os.tmpdir(), "ve-up-"));
  });
  afterAll(async () => {
    await db?.drop();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it("applies and verifies without seeding", async () => {
    const r = await runCli(["up", "--database-url", db.url, "--out", out]);
    if (r.code !== 0) console.error(r.stdout, r.stderr);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Isolation: (\d+)\/\1 attempts/);
    expect(r.stdout).not.toMatch(/customers {2}/);
    expect(await customers()).toBe(0);
    expect(fs.existsSync(path.join(out, "schema.sql"))).toBe(true);
  });

  it("seeds the two demo customers with --seed, and again changes nothing", async () => {
    expect((await runCli(["up", "--database-url", db.url, "--out", out, "--seed"])).code).toBe(0);
    expect(await customers()).toBe(2);
    const again = await runCli(["up", "--database-url", db.url, "--out", out, "--seed"]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/No changes/);
    expect(await customers()).toBe(2);
  });
});
