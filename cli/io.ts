/**
 * Where output goes. Results (a plan, a report) go to stdout so they can be piped or
 * posted as a comment; progress and errors go to stderr so they never mix into a
 * `--format json` or `--format markdown` result.
 */
export interface Io {
  /** Result text, to stdout. */
  out(text: string): void;
  /** A line of progress or commentary, to stderr. */
  info(line: string): void;
  /** Runs a long step, announcing it and printing how long it took. */
  step<T>(label: string, work: () => Promise<T>): Promise<T>;
  verbose: boolean;
}

export function processIo(verbose: boolean): Io {
  const color = process.stderr.isTTY === true && !process.env.NO_COLOR;
  const dim = (s: string): string => (color ? `\x1b[2m${s}\x1b[0m` : s);
  return {
    verbose,
    out(text) {
      process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
    },
    info(line) {
      process.stderr.write(`${line}\n`);
    },
    async step(label, work) {
      const started = Date.now();
      process.stderr.write(`… ${label}\n`);
      const result = await work();
      process.stderr.write(`✓ ${label} ${dim(`(${((Date.now() - started) / 1000).toFixed(1)}s)`)}\n`);
      return result;
    },
  };
}
