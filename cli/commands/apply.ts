/**
 * `ve-infra apply`: converges a database with the declared model. Data-losing
 * statements run only when --allow-data-loss names their consent keys; each
 * statement is printed as it runs, and a summary at the end.
 */
import { TARGET_FLAGS } from "../args";
import { defineCommand } from "../command";
import { converge } from "../converge";
import { EXIT } from "../errors";
import { loadModel } from "../model";
import { resolveTarget } from "../target";

const usage = `
Usage: ve-infra apply [--allow-data-loss KEY]... [--table schema.table]... [--plan FILE] [--stack NAME | --database-url URL]

Plans and applies: one transaction per table (lock first, short lock_timeout,
retries), indexes built concurrently, new constraints validated when the rows
comply. A data-losing statement (dropping a column or table that holds data, a
narrowing type change) is refused unless its consent key is passed, e.g.
--allow-data-loss public.tasks.old_column; without it, an undeclared column or
table holding data is kept and reported. --plan FILE applies a plan saved with
\`plan --format json\` exactly as reviewed, and refuses it if the database changed
since, or if it holds data-losing statements not named by --allow-data-loss.
On plain PostgreSQL (--platform postgres) the Supabase roles, auth schema and
auth.uid() are created first.

Exit codes: 0 converged (constraints blocked by existing rows are reported), 1 error or refusal.
`;

export const applyCommand = defineCommand({
  name: "apply",
  summary: "converge a database with the model",
  usage,
  flags: {
    "allow-data-loss": { type: "string", value: "KEY", multiple: true, description: "consent key of a data-losing change that may run (schema.table.column, schema.table)" },
    table: { type: "string", value: "schema.table", multiple: true, description: "apply only these tables" },
    plan: { type: "string", value: "FILE", description: "apply this saved plan (from plan --format json) instead of planning now" },
    ...TARGET_FLAGS,
  },
  async run(flags, io) {
    const model = loadModel(flags.model);
    const target = resolveTarget(flags);
    await converge(io, target, model, { allowDataLoss: flags["allow-data-loss"], tables: flags.table, printStatements: true, planFile: flags.plan });
    return EXIT.ok;
  },
});
