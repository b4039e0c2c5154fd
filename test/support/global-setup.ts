/**
 * Starts the PostgreSQL servers the tests run against: the machine's PostgreSQL 15
 * when one answers (as on developer machines and CI), an embedded 15 otherwise, and
 * always a newer major (embedded 18). Tests read them with `inject("pgServers")`.
 */
import type { TestProject } from "vitest/node" with { "resolution-mode": "import" };
import { startTestServers, type PgServer } from "../../scripts/pg-servers";

declare module "vitest" {
  export interface ProvidedContext {
    pgServers: PgServer[];
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { servers, stop } = await startTestServers();
  project.provide("pgServers", servers);
  process.env.VE_TEST_PG_SERVERS = JSON.stringify(servers);
  return stop;
}
