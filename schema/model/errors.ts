/**
 * Thrown by `defineSchema`/`validateModel` before anything touches a database. It lists
 * every problem at once (not just the first), each naming the declaration and the fix,
 * so one run of the program tells the author everything to correct.
 */
export class ModelError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid schema model (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ModelError";
    this.problems = problems;
  }
}
