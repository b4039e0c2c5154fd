/**
 * Entry point of `ve-infra`: picks the command, runs it, and turns anything thrown
 * into one line and a hint on stderr (the stack trace only with --verbose).
 * Returns the exit code; bin/ve-infra.js sets it.
 */
import { applyCommand } from "./commands/apply";
import { downCommand } from "./commands/down";
import { driftCommand } from "./commands/drift";
import { planCommand } from "./commands/plan";
import { renderCommand } from "./commands/render";
import { upCommand } from "./commands/up";
import { verifyCommand } from "./commands/verify";
import type { Command } from "./command";
import { CliError, EXIT, report } from "./errors";
import { processIo, type Io } from "./io";
import { maskSecrets } from "./mask";

export const COMMANDS: readonly Command[] = [planCommand, applyCommand, driftCommand, renderCommand, verifyCommand, upCommand, downCommand];

const usage = `Usage: ve-infra <command> [flags]

The agents platform's database and Kubernetes tenancy, from the command line:
the same engine and tenancy code the Pulumi program uses.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(8)}${c.summary}`).join("\n")}

Common flags: --stack NAME, --database-url URL, --verbose, --help.
Exit codes: 0 ok, 1 error, 2 changes pending (--detailed-exitcode), 3 a check failed.
Run \`ve-infra <command> --help\` for a command's flags; docs/cli.md has the details.
`;

export async function main(argv: readonly string[], io: Io = processIo(argv.includes("--verbose"))): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      io.out(usage);
      return name === undefined ? EXIT.error : EXIT.ok;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) {
      const hint = name.startsWith("-") ? "put the command first, e.g. ve-infra plan --format sql" : `commands: ${COMMANDS.map((c) => c.name).join(", ")}`;
      throw new CliError(`unknown command "${name}"`, hint);
    }
    return await command.run(rest, io);
  } catch (err) {
    const r = report(err);
    io.info(`error: ${r.line}`);
    io.info(`hint: ${r.hint}`);
    if (io.verbose && err instanceof Error && !(err instanceof CliError)) io.info(maskSecrets(err.stack ?? err.message));
    return r.exitCode;
  }
}
