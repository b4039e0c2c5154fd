/**
 * One error type for every configuration problem, so the Pulumi program and the
 * command line report a bad stack the same way: the full key (`ve-infra:customers[2].id`),
 * what is wrong, and the command or edit that fixes it.
 */
export const PROJECT = "ve-infra";

export interface ConfigProblem {
  /** Full key, e.g. `ve-infra:database.port`. */
  readonly key: string;
  readonly problem: string;
  readonly fix: string;
}

export class StackConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      problems.length === 1
        ? formatProblem(problems[0])
        : `invalid stack configuration (${problems.length} problems):\n${problems.map((p) => `  - ${formatProblem(p)}`).join("\n")}`,
    );
    this.name = "StackConfigError";
  }
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.key}: ${p.problem}. Fix: ${p.fix}`;
}

/** `database.port` -> `ve-infra:database.port`; a key that already has a namespace is kept. */
export function fullKey(key: string): string {
  return key.includes(":") ? key : `${PROJECT}:${key}`;
}
