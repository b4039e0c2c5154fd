/**
 * Errors as the command line reports them: one line saying what went wrong and one
 * hint saying what to do. Errors thrown by the engine, the config parsers and the
 * pg driver are translated here so no command has to know their shapes.
 */
import { maskSecrets } from "./mask";

/** Exit codes, the same for every command (documented in docs/cli.md). */
export const EXIT = {
  ok: 0,
  error: 1,
  /** plan/drift --detailed-exitcode: something would change. */
  changes: 2,
  /** A check failed: security drift, an isolation breach, a lint error, a reachable pair. */
  failed: 3,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly hint: string,
    readonly exitCode: number = EXIT.error,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export interface Reported {
  line: string;
  hint: string;
  exitCode: number;
}

interface PgLikeError extends Error {
  code?: string;
  address?: string;
  port?: number;
}

function isPgLike(err: unknown): err is PgLikeError {
  return err instanceof Error && typeof (err as { code?: unknown }).code === "string";
}

/** Turns anything thrown into the line and hint printed to stderr. */
export function report(err: unknown): Reported {
  if (err instanceof CliError) return { line: err.message, hint: err.hint, exitCode: err.exitCode };
  if (!(err instanceof Error)) return { line: String(err), hint: "run again with --verbose for details", exitCode: EXIT.error };

  switch (err.name) {
    case "ConfigError": {
      // k8s/config.ts and config/stack.ts: "<key>: <problem>. Fix: <hint>".
      const [line, fix] = err.message.split(/\. Fix: /);
      return { line: `invalid configuration: ${line}`, hint: fix ?? "correct the stack configuration", exitCode: EXIT.error };
    }
    case "StackConfigError": {
      // config/stack.ts collects every problem; one line names the first and counts the rest.
      const problems = (err as Error & { problems?: readonly { key: string; problem: string; fix: string }[] }).problems ?? [];
      if (problems.length === 0) return { line: err.message.split("\n")[0], hint: "correct the stack file", exitCode: EXIT.error };
      const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""}; --verbose lists them)` : "";
      return { line: `invalid stack configuration: ${problems[0].key} ${problems[0].problem}${more}`, hint: problems[0].fix, exitCode: EXIT.error };
    }
    case "ApplyError":
      return {
        line: `apply failed: ${maskSecrets(err.message.split("\n")[0])}`,
        hint: "each table is either unchanged or fully converged; fix the cause and run apply again (--verbose shows the statement)",
        exitCode: EXIT.error,
      };
    case "ApplierError":
    case "PlatformError": {
      const [line, fix] = err.message.split(/ Fix: /);
      const first = line.split(/(?<=[.:]) /)[0].replace(/[.:]$/, "");
      return { line: maskSecrets(first), hint: fix ?? line.slice(first.length).trim() ?? "see docs/cli.md", exitCode: EXIT.error };
    }
    case "ModelError":
      return { line: err.message.split("\n").join(" "), hint: "correct the declarations named above in schema/app", exitCode: EXIT.error };
    case "DataLossRefusedError": {
      const keys = (err as Error & { consentKeys?: readonly string[] }).consentKeys ?? [];
      return {
        line: `refused: the plan would lose data (${keys.join(", ")}); nothing was changed`,
        hint: `if that data may go, run again with ${keys.map((k) => `--allow-data-loss ${k}`).join(" ")}`,
        exitCode: EXIT.error,
      };
    }
  }

  if (isPgLike(err)) {
    const where = err.address ? `${err.address}${err.port ? `:${err.port}` : ""}` : "the database";
    switch (err.code) {
      case "ECONNREFUSED":
        return { line: `cannot connect to ${where}: connection refused`, hint: "is the database running? `npm start` brings up a local one; or pass --database-url", exitCode: EXIT.error };
      case "ENOTFOUND":
      case "EAI_AGAIN":
        return { line: `cannot resolve the database host (${err.message.replace(/^getaddrinfo \w+ /, "")})`, hint: "check the host in --database-url or the stack's database.host", exitCode: EXIT.error };
      case "ETIMEDOUT":
        return { line: `timed out connecting to ${where}`, hint: "check the address and that this machine may reach it (firewall, VPN)", exitCode: EXIT.error };
      case "28P01":
      case "28000":
        return { line: `the database refused the login: ${maskSecrets(err.message)}`, hint: "check the user and password (VE_DATABASE_PASSWORD or PGPASSWORD for --stack)", exitCode: EXIT.error };
      case "3D000":
        return { line: maskSecrets(err.message), hint: "create the database first, or fix the database name in the URL", exitCode: EXIT.error };
      case "42501":
        return { line: `permission denied: ${maskSecrets(err.message)}`, hint: "use a role with the rights this command needs (see docs/cli.md, \"Roles\")", exitCode: EXIT.error };
    }
  }
  if (/^roles .* do not exist/.test(err.message)) {
    return { line: maskSecrets(err.message.split(":")[0]), hint: "on plain PostgreSQL, `ve-infra apply --platform postgres` (or `ve-infra up`) creates them; on Supabase they exist", exitCode: EXIT.error };
  }
  const first = maskSecrets(err.message.split("\n")[0] || err.name);
  return { line: first, hint: "run again with --verbose for details", exitCode: EXIT.error };
}
