/**
 * `ve-infra verify`: the tenant isolation suite and the lint against a live
 * database, and the reachability check over the Kubernetes objects (built from the
 * stack's configuration, or read back from --manifests). Any breach exits 3.
 */
import { allObjects, buildTenancyObjects } from "../../k8s";
import { TARGET_FLAGS } from "../args";
import { defineCommand } from "../command";
import { EXIT } from "../errors";
import { readManifests } from "../manifests";
import { loadModel } from "../model";
import { resolveTarget, tenancyFor } from "../target";
import { breaches, renderVerification, runVerification } from "../verification";

const usage = `
Usage: ve-infra verify [--stack NAME | --database-url URL] [--manifests DIR] [--skip-database] [--matrix]

Runs, against a live database, the tenant isolation suite (every command as two
customers and as anon on every table: read, write, move and reference across
tenants) and the lint (Supabase splinter rules); and, over the Kubernetes objects,
the reachability check (no customer's pod reaches another's on any port).
The isolation suite writes fixture rows inside transactions it rolls back.

Exit codes: 0 everything holds, 3 a breach or lint finding, 1 error.
`;

export const verifyCommand = defineCommand({
  name: "verify",
  summary: "run the isolation suite, lint and reachability check",
  usage,
  flags: {
    manifests: { type: "string", value: "DIR", description: "check the YAML files in DIR instead of objects built from the configuration" },
    "skip-database": { type: "boolean", description: "only the reachability check (no database needed)" },
    matrix: { type: "boolean", description: "print the reachability matrix even when it holds" },
    ...TARGET_FLAGS,
  },
  async run(flags, io) {
    const model = loadModel(flags.model);
    const { tenancy, from } = tenancyFor(flags.stack);
    const db = flags["skip-database"] ? undefined : resolveTarget(flags);
    const objects = flags.manifests ? readManifests(flags.manifests) : allObjects(buildTenancyObjects(tenancy));
    io.info(`Checking ${db ? db.display : "no database"}; objects ${flags.manifests ? `from ${flags.manifests}` : "built"} for ${from}.`);
    const result = await runVerification(io, { db: db?.db, model, objects, tenancy });
    io.out(renderVerification(result, flags.matrix));
    return breaches(result) > 0 ? EXIT.failed : EXIT.ok;
  },
});
