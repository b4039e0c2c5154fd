/**
 * What a command is: a name, a one-line summary for `ve-infra --help`, a usage
 * string, its flags as data, and a run function that receives the parsed flags.
 * defineCommand handles `--help` and flag errors the same way for every command.
 */
import { COMMON_FLAGS, helpText, parseFlags, type FlagSpecs, type ParsedFlags } from "./args";
import type { Io } from "./io";

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  /** Its flags, for checks that invocations elsewhere (workflows, docs) use real flags. */
  readonly specs: FlagSpecs;
  run(argv: readonly string[], io: Io): Promise<number>;
}

export interface CommandDefinition<F extends FlagSpecs> {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly flags: F;
  run(flags: ParsedFlags<F & typeof COMMON_FLAGS>, io: Io): Promise<number>;
}

export function defineCommand<F extends FlagSpecs>(def: CommandDefinition<F>): Command {
  const specs = { ...def.flags, ...COMMON_FLAGS } as F & typeof COMMON_FLAGS;
  const help = helpText(def.usage, specs);
  return {
    name: def.name,
    summary: def.summary,
    help,
    specs,
    async run(argv, io) {
      const flags = parseFlags(def.name, specs, argv);
      if (flags.help) {
        io.out(help);
        return 0;
      }
      return def.run(flags, io);
    },
  };
}
