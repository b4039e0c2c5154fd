/**
 * `ve-infra up` (`npm start`): a complete local environment without a cloud
 * account. Starts (or reuses) an embedded PostgreSQL that outlives the command,
 * makes it look like Supabase, applies the model, seeds two demo customers, renders
 * the schema and the cluster objects, verifies all of it, and says how to connect.
 */
import * as path from "node:path";
import { allObjects, buildTenancyObjects } from "../../k8s";
import { TARGET_FLAGS } from "../args";
import { defineCommand } from "../command";
import { converge } from "../converge";
import { CliError, EXIT } from "../errors";
import { DEMO_CUSTOMERS } from "../local/demo";
import { bringUp } from "../local/environment";
import { seedDemo } from "../local/seed";
import { pgpassFile, stateDirOf } from "../local/state";
import { readManifests, writeOutputs } from "../manifests";
import { maskUrl } from "../mask";
import { loadModel } from "../model";
import { PROJECT_ROOT, resolveTarget, tenancyFor, type Target } from "../target";
import { breaches, renderVerification, runVerification } from "../verification";

const usage = `
Usage: ve-infra up [--port N] [--state-dir DIR] [--stack NAME] [--database-url URL [--seed]]

Brings up the local environment: an embedded PostgreSQL with its data in
.work/local/pgdata (started detached; \`ve-infra down\` stops it), made to look like
Supabase, with the model applied and two demo customers seeded; the schema and
the Kubernetes objects rendered to .work/local/out; then \`verify\`.
With --database-url, uses that server instead and seeds only with --seed.

Exit codes: 0 ready and verified, 3 ready but a check failed, 1 error.
`;

function rel(p: string): string {
  const r = path.relative(process.cwd(), p);
  return r && !r.startsWith("..") ? r : p;
}

export const upCommand = defineCommand({
  name: "up",
  summary: "bring up the local environment (npm start)",
  usage,
  flags: {
    port: { type: "string", value: "N", description: `port for the local PostgreSQL (default 54329, or a free one)` },
    seed: { type: "boolean", description: "seed the demo customers into a --database-url database too" },
    out: { type: "string", value: "DIR", description: "where to render schema.sql and k8s/ (default: STATE_DIR/out)" },
    ...TARGET_FLAGS,
  },
  async run(flags, io) {
    const began = Date.now();
    const port = flags.port === undefined ? undefined : Number(flags.port);
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
      throw new CliError(`--port must be a port number, got "${flags.port}"`, "for example: --port 54329");
    }
    const model = loadModel(flags.model);
    const stateDir = stateDirOf(PROJECT_ROOT, flags["state-dir"]);
    const external = flags["database-url"] !== undefined;
    if (flags.seed && !external) io.info("--seed is implied for the local database");

    let target: Target;
    let major: number | undefined;
    if (external) {
      target = resolveTarget(flags);
    } else {
      const server = await bringUp(io, stateDir, port);
      major = server.state.major;
      target = { db: { connectionString: server.url }, display: maskUrl(server.url), platform: "postgres", source: "local" };
    }

    await converge(io, target, model, { allowDataLoss: [], printStatements: io.verbose });
    // Demo rows only go where we made the database, or where the caller asked for them.
    const seeded = !external || flags.seed;
    if (seeded) await io.step(`seeding ${DEMO_CUSTOMERS.length} demo customers`, () => seedDemo(target.db));

    const chosen = tenancyFor(flags.stack);
    const outDir = path.resolve(flags.out ?? path.join(stateDir, "out"));
    const written = await io.step("rendering schema.sql and the Kubernetes objects", async () =>
      writeOutputs(outDir, model, allObjects(buildTenancyObjects(chosen.tenancy)), chosen.from),
    );
    // Verify the files as written, not a fresh build: they are what someone would apply.
    const result = await runVerification(io, { db: target.db, model, objects: readManifests(written.manifestDir), tenancy: chosen.tenancy });
    const failed = breaches(result);

    const secs = ((Date.now() - began) / 1000).toFixed(1);
    const lines = [
      "",
      renderVerification(result, false),
      "",
      failed ? `Local environment is up, but ${failed} check(s) failed (see above). ${secs}s` : `Local environment ready in ${secs}s.`,
      `  database   ${target.display}${major ? ` (PostgreSQL ${major})` : ""}`,
    ];
    if (!external) {
      const u = new URL(target.display);
      lines.push(
        `  connect    PGPASSFILE=${rel(pgpassFile(stateDir))} psql -h 127.0.0.1 -p ${u.port} -U postgres ve`,
        `  data, log  ${rel(path.join(stateDir, "pgdata"))}, ${rel(path.join(stateDir, "postgres.log"))}`,
      );
    }
    if (seeded) {
      lines.push(`  customers  ${DEMO_CUSTOMERS.map((c) => `${c.slug} ${c.id}`).join(", ")}`);
      lines.push(`  as one     set role authenticated; select set_config('request.jwt.claims', '{"sub":"${DEMO_CUSTOMERS[0].id}"}', false);`);
    }
    lines.push(
      `  schema     ${rel(written.schemaFile)}`,
      `  manifests  ${rel(written.manifestDir)}/ (${written.manifests.length} objects for ${chosen.from})`,
      `  next       npx ve-infra plan (shows nothing to change), npx ve-infra verify --matrix, npx ve-infra down`,
    );
    io.out(lines.join("\n"));
    return failed ? EXIT.failed : EXIT.ok;
  },
});
