/**
 * `ve-infra render --out DIR`: the whole declared schema as one SQL file
 * (DIR/schema.sql, the generated successor of CURRENT_SCHEMA.sql) and every
 * Kubernetes object as YAML (DIR/k8s/NN-kind-name.yaml, in a safe apply order).
 * Needs no database and no cluster.
 */
import * as path from "node:path";
import { allObjects, buildTenancyObjects } from "../../k8s";
import { TARGET_FLAGS } from "../args";
import { defineCommand } from "../command";
import { CliError, EXIT } from "../errors";
import { writeOutputs } from "../manifests";
import { loadModel } from "../model";
import { tenancyFor } from "../target";

const usage = `
Usage: ve-infra render --out DIR [--stack NAME]

Writes DIR/schema.sql (the whole schema, as SQL) and DIR/k8s/*.yaml (the namespace,
ServiceAccounts, NetworkPolicies and admission policy, one object per file) for the
customers and cluster of --stack NAME, or of the local demo configuration.
`;

export const renderCommand = defineCommand({
  name: "render",
  summary: "write the schema as SQL and the Kubernetes objects as YAML",
  usage,
  flags: {
    out: { type: "string", value: "DIR", description: "output directory (created if missing)" },
    stack: TARGET_FLAGS.stack,
    model: TARGET_FLAGS.model,
  },
  async run(flags, io) {
    if (!flags.out) throw new CliError("render needs --out DIR", "for example: ve-infra render --out out");
    const model = loadModel(flags.model);
    const { tenancy, from } = tenancyFor(flags.stack);
    const objects = allObjects(buildTenancyObjects(tenancy));
    const written = writeOutputs(path.resolve(flags.out), model, objects, from);
    io.out(`Wrote ${written.schemaFile} (${model.tables.length} tables) and ${written.manifests.length} objects to ${written.manifestDir} for ${from}.`);
    return EXIT.ok;
  },
});
