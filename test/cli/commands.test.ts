/**
 * Every database command's exit codes and formats, spawned as a user runs them
 * (`node bin/ve-infra.js ...`) against a database of this file's own, with the
 * one-table model of fixtures/tiny-model.ts so each spawn plans in a moment.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { preparePlatform } from "../../schema/platform";
import { createTestDatabase, pgServers, type TestDatabase } from "../support/db";
import { errorLines, runCli, TINY_MODEL } from "./run";

// The servers run side by side (each spawn waits on a child process); within a server the steps build on each other.
describe.concurrent.each(pgServers().map((s) => [s.name, s] as const))("ve-infra commands on %s", (_name, server) => {
  let db: TestDatabase;
  const on = (...args: string[]): string[] => [...args, "--database-url", db.url, "--model", TINY_MODEL];
  const sql = async (text: string): Promise<unknown[]> => (await (await db.client()).query(text)).rows;

  beforeAll(async () => {
    db = await createTestDatabase(server, "cli");
    // "Empty" as a fresh Supabase project is: the API roles and auth.uid(), no tables.
    await preparePlatform(db.config, "postgres");
  });
  afterAll(async () => {
    await db?.drop();
  });

  describe.sequential("in order", () => {
    it("plan on an empty database: exit 2 with --detailed-exitcode, 0 without", async () => {
      const detailed = await runCli(on("plan", "--detailed-exitcode"));
      expect(detailed.code).toBe(2);
      expect(detailed.stderr).toMatch(/Plan: \d+ statement\(s\)/);
      const plain = await runCli(on("plan"));
      expect(plain.code).toBe(0);
    });

    it("plan --format json is the Plan (formatVersion 1) with hazards per statement", async () => {
      const r = await runCli(on("plan", "--format", "json"));
      expect(r.code).toBe(0);
      const plan = JSON.parse(r.stdout) as { formatVersion: number; steps: { sql: string; hazards: { kind: string }[]; table?: string }[] };
      expect(plan.formatVersion).toBe(1);
      expect(plan.steps.some((s) => /create table/i.test(s.sql) && s.table === "public.t")).toBe(true);
      // Turning RLS on, a policy and a grant are security changes.
      expect(plan.steps.some((s) => s.hazards.some((h) => h.kind === "SECURITY"))).toBe(true);
    });

    it("plan --format sql is runnable SQL, markdown is a comment body", async () => {
      const asSql = await runCli(on("plan", "--format", "sql"));
      expect(asSql.code).toBe(0);
      expect(asSql.stdout).toMatch(/create table[^;]*public\.t/i);
      const md = await runCli(on("plan", "--format", "markdown"));
      expect(md.code).toBe(0);
      expect(md.stdout).toMatch(/SECURITY/);
      expect(md.stdout).toMatch(/```sql|\|/);
    });

    it("apply prints each statement and a summary; plan afterwards reports nothing (exit 0)", async () => {
      const r = await runCli(on("apply", "--platform", "postgres"));
      if (r.code !== 0) console.error(r.stderr);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^-- \[1\/\d+\] create /m);
      expect(r.stdout).toMatch(/create table/i);
      expect(r.stdout).toMatch(/^Applied \d+ statement\(s\) on 1 table\(s\)/m);
      const again = await runCli(on("plan", "--detailed-exitcode"));
      expect(again.code).toBe(0);
      expect(again.stderr).toMatch(/No changes/);
      const noop = await runCli(on("apply"));
      expect(noop.code).toBe(0);
      expect(noop.stdout).not.toMatch(/^-- \[/m);
    });

    it("drift: none after apply (exit 0); security drift by hand exits 3 and comes first", async () => {
      const clean = await runCli(on("drift"));
      expect(clean.code).toBe(0);
      expect(clean.stdout).toMatch(/No security drift/);
      await sql("alter table public.t disable row level security; grant insert on public.t to anon");
      const drifted = await runCli(on("drift"));
      expect(drifted.code).toBe(3);
      expect(drifted.stdout.split("\n")[0]).toMatch(/^SECURITY DRIFT in /);
      const md = await runCli(on("drift", "--format", "markdown"));
      expect(md.code).toBe(3);
      expect(md.stdout).toMatch(/Security drift/);
      // apply converges it back.
      expect((await runCli(on("apply"))).code).toBe(0);
      expect((await runCli(on("drift", "--detailed-exitcode"))).code).toBe(0);
    });

    it("apply keeps an undeclared column holding data without --allow-data-loss public.t.col, and drops it with", async () => {
      await sql("alter table public.t add column col text; insert into public.t (name, col) values ('a', 'keep me')");
      const plan = await runCli(on("plan", "--format", "json", "--allow-data-loss", "public.t.col"));
      const steps = (JSON.parse(plan.stdout) as { steps: { consentKey?: string; hazards: { kind: string }[] }[] }).steps;
      expect(steps.find((s) => s.consentKey === "public.t.col")?.hazards.map((h) => h.kind)).toContain("DATA_LOSS");

      // Without consent nothing is dropped: the column is kept and the output names the flag.
      const refused = await runCli(on("apply"));
      expect(refused.code).toBe(0);
      expect(refused.stderr).toMatch(/^Kept: column col on public\.t: .*holds values.* -> to drop it: --allow-data-loss public\.t\.col$/m);
      expect(refused.stdout).not.toMatch(/drop column/i);
      expect(await sql("select col from public.t")).toEqual([{ col: "keep me" }]);

      // A reviewed plan that drops it is refused unless the same consent is given to apply.
      const planFile = path.join(os.tmpdir(), `ve-plan-${db.name}.json`);
      fs.writeFileSync(planFile, plan.stdout);
      const refusedPlan = await runCli(on("apply", "--plan", planFile));
      expect(refusedPlan.code).toBe(1);
      expect(errorLines(refusedPlan)[0]).toBe("error: refused: the plan would lose data (public.t.col); nothing was changed");
      expect(errorLines(refusedPlan)[1]).toBe("hint: if that data may go, run again with --allow-data-loss public.t.col");
      expect(await sql("select col from public.t")).toEqual([{ col: "keep me" }]);

      const allowed = await runCli(on("apply", "--plan", planFile, "--allow-data-loss", "public.t.col"));
      fs.rmSync(planFile);
      expect(allowed.code).toBe(0);
      expect(allowed.stdout).toMatch(/DATA_LOSS/);
      expect(await sql("select column_name from information_schema.columns where table_name = 't' and column_name = 'col'")).toEqual([]);
    });

    it("apply --plan refuses a plan computed before the database changed", async () => {
      await sql("drop policy t_select on public.t");
      const saved = await runCli(on("plan", "--format", "json"));
      const planFile = path.join(os.tmpdir(), `ve-stale-${db.name}.json`);
      fs.writeFileSync(planFile, saved.stdout);
      await sql("create index t_name_extra on public.t (name)");
      const stale = await runCli(on("apply", "--plan", planFile));
      fs.rmSync(planFile);
      expect(stale.code).toBe(1);
      expect(errorLines(stale)[0]).toMatch(/changed since this plan was computed/);
      expect((await runCli(on("apply"))).code).toBe(0);
    });

    it("apply refuses a role without BYPASSRLS in one line", async () => {
      await sql("drop role if exists cli_weak; create role cli_weak login password 'weak-pw-123'");
      const u = new URL(db.url);
      u.username = "cli_weak";
      u.password = "weak-pw-123";
      const r = await runCli(["apply", "--database-url", u.toString(), "--model", TINY_MODEL, "--platform", "supabase"]);
      expect(r.code).toBe(1);
      expect(errorLines(r)).toHaveLength(2);
      expect(errorLines(r)[0]).toMatch(/BYPASSRLS/);
      expect(r.stderr).not.toContain("weak-pw-123");
      await sql("drop role cli_weak");
    });

    it("a missing database is one line with a hint", async () => {
      const u = new URL(db.url);
      u.pathname = "/no_such_db_here";
      const r = await runCli(["plan", "--database-url", u.toString(), "--model", TINY_MODEL]);
      expect(r.code).toBe(1);
      expect(errorLines(r)[0]).toMatch(/no_such_db_here/);
    });
  });
});
