/**
 * A small declarative flag parser over node:util parseArgs. Each command declares
 * its flags as data; the parsed result is typed from that declaration, and every
 * mistake (unknown flag, missing value, bad choice) becomes a one-line CliError
 * with a hint pointing at the command's --help.
 */
import { parseArgs } from "node:util";
import { CliError } from "./errors";

export interface StringFlag {
  readonly type: "string";
  readonly description: string;
  /** Shown in help as `--flag VALUE`. */
  readonly value: string;
  readonly choices?: readonly string[];
  readonly default?: string;
  readonly multiple?: false;
}

export interface ListFlag {
  readonly type: "string";
  readonly description: string;
  readonly value: string;
  /** Repeatable; values may also be comma separated. */
  readonly multiple: true;
}

export interface BooleanFlag {
  readonly type: "boolean";
  readonly description: string;
}

export type FlagSpec = StringFlag | ListFlag | BooleanFlag;
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

type ValueOf<S extends FlagSpec> = S extends BooleanFlag
  ? boolean
  : S extends ListFlag
    ? string[]
    : S extends { readonly default: string }
      ? string
      : string | undefined;

export type ParsedFlags<F extends FlagSpecs> = { -readonly [K in keyof F]: ValueOf<F[K]> };

/** Flags every command accepts. */
export const COMMON_FLAGS = {
  help: { type: "boolean", description: "show this help" },
  verbose: { type: "boolean", description: "print stack traces and debug details on errors" },
} as const satisfies FlagSpecs;

/** Flags of commands that talk to a database. */
export const TARGET_FLAGS = {
  stack: { type: "string", value: "NAME", description: "read customers and settings from Pulumi.NAME.yaml (database password from VE_DATABASE_PASSWORD or PGPASSWORD)" },
  "database-url": { type: "string", value: "URL", description: "postgres://user:password@host:port/db (default: --stack's database, else the local environment from `ve-infra up`)" },
  platform: { type: "string", value: "P", choices: ["postgres", "supabase"], description: "what provides anon/authenticated/service_role and auth.uid() (default: the stack's platform, else postgres)" },
  model: { type: "string", value: "MODULE", description: "a module exporting the SchemaModel to compare with (default: the platform schema, schema/app)" },
  "state-dir": { type: "string", value: "DIR", description: "where `up` keeps the local environment (default: .work/local)" },
} as const satisfies FlagSpecs;

export function parseFlags<F extends FlagSpecs>(command: string, specs: F, argv: readonly string[]): ParsedFlags<F> {
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = { type: spec.type, multiple: spec.type === "string" && spec.multiple === true };
  }
  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new CliError(describeParseError(err), `run \`ve-infra ${command} --help\` for the flags it takes`);
  }
  if (parsed.positionals.length > 0) {
    throw new CliError(`unexpected argument "${parsed.positionals[0]}"`, `run \`ve-infra ${command} --help\` for the flags it takes`);
  }
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const raw = parsed.values[name];
    if (spec.type === "boolean") {
      out[name] = raw === true;
    } else if (spec.multiple === true) {
      const list = Array.isArray(raw) ? raw.map(String) : [];
      out[name] = list.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
    } else {
      const value = typeof raw === "string" ? raw : spec.default;
      if (value !== undefined && spec.choices && !spec.choices.includes(value)) {
        throw new CliError(`--${name} must be one of ${spec.choices.join(", ")}, got "${value}"`, `for example: ve-infra ${command} --${name} ${spec.choices[0]}`);
      }
      if (value === "") throw new CliError(`--${name} needs a value`, `pass --${name} ${spec.value}`);
      out[name] = value;
    }
  }
  return out as ParsedFlags<F>;
}

function describeParseError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // parseArgs messages are long and mention internals ("To specify an option argument..."): keep the first sentence.
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown flag ${unknown[1]}`;
  const missing = /Option '([^']+?)(?: <value>)?' argument missing/.exec(message);
  if (missing) return `${missing[1].replace(/^-\w, /, "")} needs a value`;
  const notBool = /Option '([^']+)' does not take an argument/.exec(message);
  if (notBool) return `${notBool[1].replace(/^-\w, /, "")} does not take a value`;
  return message.split(/\. |\n/)[0];
}

/** The help text of a command: its usage string, then its flags. */
export function helpText(usage: string, specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const left = spec.type === "boolean" ? `--${name}` : `--${name} ${spec.value}${spec.multiple ? " (repeatable)" : ""}`;
    return [left, spec.description] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return `${usage.trim()}\n\nFlags:\n${rows.map(([l, d]) => `  ${l.padEnd(width)}${d}`).join("\n")}\n`;
}
