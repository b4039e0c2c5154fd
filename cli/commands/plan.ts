/**
 * `ve-infra plan`: compares a live database with the declared model and prints the
 * statements that would converge it, with their hazards. Read-only: it works through
 * a role that can only read the catalog (`ve_plan_reader` in CI).
 */
import { plan, renderPlan } from "../../schema/engine";
import { TARGET_FLAGS } from "../args";
import { defineCommand } from "../command";
import { EXIT } from "../errors";
import { loadModel } from "../model";
import { summarisePlan } from "../plan-summary";
import { resolveTarget } from "../target";

const usage = `
Usage: ve-infra plan [--format text|sql|json|markdown] [--detailed-exitcode] [--table schema.table]... [--stack NAME | --database-url URL]

Compares the live database with the declared model and prints the SQL that would
converge it, per statement with its hazards (SECURITY, DATA_LOSS, TABLE_REWRITE,
LONG_LOCK, INDEX_BUILD). Changes nothing.

Exit codes: 0 success (with --detailed-exitcode: nothing would change),
2 something would change (only with --detailed-exitcode), 1 error.
`;

export const planCommand = defineCommand({
  name: "plan",
  summary: "show the SQL that would converge a database with the model",
  usage,
  flags: {
    format: { type: "string", value: "F", choices: ["text", "sql", "json", "markdown"], default: "text", description: "output format (json is the Plan, formatVersion 1)" },
    "detailed-exitcode": { type: "boolean", description: "exit 0 when nothing would change, 2 when something would" },
    table: { type: "string", value: "schema.table", multiple: true, description: "plan only these tables" },
    "allow-data-loss": { type: "string", value: "KEY", multiple: true, description: "plan as apply would with these consent keys" },
    ...TARGET_FLAGS,
  },
  async run(flags, io) {
    const model = loadModel(flags.model);
    const target = resolveTarget(flags);
    const result = await io.step(`planning against ${target.display}`, () =>
      plan(target.db, model, {
        platform: target.platform,
        ...(flags.table.length ? { tables: flags.table } : {}),
        ...(flags["allow-data-loss"].length ? { allowDataLoss: flags["allow-data-loss"] } : {}),
      }),
    );
    io.out(renderPlan(result, flags.format as "text" | "sql" | "json" | "markdown"));
    for (const line of summarisePlan(result)) io.info(line);
    if (flags["detailed-exitcode"] && result.steps.length > 0) return EXIT.changes;
    return EXIT.ok;
  },
});
