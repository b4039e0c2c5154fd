/**
 * The platform's declared schema, deployed, must pass its own verification: no lint
 * finding and no isolation finding, with every legitimate action succeeding. Deployed
 * twice: from the rendered schema file, and by the engine's plan + apply (the path
 * production takes).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "pg";
import { createTestDatabase, pgServers, type TestDatabase } from "../support/db";
import { preparePlatform } from "../../schema/platform";
import { platformSchema } from "../../schema/app";
import { apply, plan, renderSchemaSql } from "../../schema/engine";
import { lint, verifyIsolation, type Finding, type IsolationReport } from "../../schema/verify";

const deployments: { name: string; deploy(db: TestDatabase): Promise<void> }[] = [
  {
    name: "renderSchemaSql",
    async deploy(db) {
      const c = new Client(db.config);
      await c.connect();
      try {
        await c.query(renderSchemaSql(platformSchema));
      } finally {
        await c.end();
      }
    },
  },
  {
    name: "plan + apply",
    async deploy(db) {
      await apply(db.config, await plan(db.config, platformSchema, { platform: "postgres" }));
    },
  },
];

describe.each(pgServers())("the platform schema on $name", (server) => {
  describe.each(deployments)("deployed by $name", ({ deploy }) => {
    let db: TestDatabase;
    let findings: Finding[];
    let report: IsolationReport;

    beforeAll(async () => {
      db = await createTestDatabase(server, "verify_platform");
      await preparePlatform(db.config, "postgres");
      await deploy(db);
      findings = await lint(db.config, platformSchema);
      report = await verifyIsolation(db.config, platformSchema);
    });
    afterAll(async () => db?.drop());

    it("has no lint finding", () => {
      expect(findings).toEqual([]);
    });

    it("has no isolation finding and every attempt went as expected", () => {
      expect(report.findings).toEqual([]);
      expect(report.attempts.filter((a) => !a.ok)).toEqual([]);
      expect(report.summary).toMatchObject({ breaches: 0, failedLegitimate: 0, inconclusive: 0 });
    });

    it("tried every declared table as both customers and anon, and some own-row actions succeeded", () => {
      for (const t of platformSchema.tables) {
        const object = `${t.schema}.${t.name}`;
        for (const actor of t.tenancy ? ["A", "B", "anon"] : ["A", "anon"]) {
          expect(report.attempts.some((a) => a.object === object && a.actor === actor), `${actor} on ${object}`).toBe(true);
        }
      }
      const legit = report.attempts.filter((a) => a.expected === "allowed");
      expect(legit.length).toBeGreaterThan(20);
      expect(legit.every((a) => a.actual === "allowed")).toBe(true);
    });

    it("refuses the actions the target names", () => {
      const outcome = (object: string, kind: string) => report.attempts.find((a) => a.actor === "A" && a.object === object && a.kind === kind)?.actual;
      expect(outcome("public.api_keys", "forbidden_select:key_hash")).toBe("denied");
      expect(outcome("public.customers", "forbidden_update:subscription_tier")).toBe("denied");
      expect(outcome("public.security_audit_log", "forbidden_update")).toBe("denied");
      expect(outcome("public.security_audit_log", "forbidden_delete")).toBe("denied");
      expect(outcome("public.tasks", "reference_update:tasks_assigned_to_ve_tenant_fkey")).toBe("constraint");
      expect(outcome("public.ve_connections", "reference_insert:ve_connections_from_ve_id_tenant_fkey")).toBe("constraint");
    });
  });
});
