/** Runs the command line as a user would: `node bin/ve-infra.js ...` in a child process. */
import { spawn } from "node:child_process";
import * as path from "node:path";

export const REPO = path.resolve(__dirname, "../..");
export const BIN = path.join(REPO, "bin", "ve-infra.js");
export const TINY_MODEL = path.join(REPO, "test", "cli", "fixtures", "tiny-model.ts");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], opts: { cwd?: string; env?: Record<string, string>; bin?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [opts.bin ?? BIN, ...args], {
      cwd: opts.cwd ?? REPO,
      // NO_COLOR: plain output to compare; no inherited PG* variables that could redirect a test.
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The `error:` and `hint:` lines of a failed run. */
export function errorLines(r: Run): string[] {
  return r.stderr.split("\n").filter((l) => l.startsWith("error: ") || l.startsWith("hint: "));
}
