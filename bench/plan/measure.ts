/**
 * Runs one whole process under GNU time (`/usr/bin/time -v`) for its peak RSS, with a
 * wall-clock timeout. Wall time is measured here around the spawn, so it includes
 * process start-up, module loading and connection set-up: what a user waits for.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunResult {
  readonly ok: boolean;
  readonly timedOut: boolean;
  readonly exitCode: number | null;
  readonly wallMs: number;
  /** GNU time's "Maximum resident set size", in MB; undefined when the process was killed. */
  readonly peakRssMb?: number;
  /** User + system CPU of the process tree (GNU time): the client's own work, which machine load inflates less than wall time. */
  readonly cpuMs?: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  /** Exit codes that mean success (migra-style tools may exit 2 for "differences found"). */
  readonly okCodes?: readonly number[];
}

function cpu(timeReport: string): number | undefined {
  const u = /User time \(seconds\): ([\d.]+)/.exec(timeReport);
  const s = /System time \(seconds\): ([\d.]+)/.exec(timeReport);
  return u && s ? (Number(u[1]) + Number(s[1])) * 1000 : undefined;
}

function peakRss(timeReport: string): number | undefined {
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(timeReport);
  return m ? Number(m[1]) / 1024 : undefined;
}

export function runMeasured(argv: readonly string[], opts: RunOptions): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), "ve-bench-time-"));
  const timeFile = join(dir, "time.txt");
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    // Own process group, so a timeout kills the tool and anything it started, by group id.
    const child = spawn("/usr/bin/time", ["-v", "-o", timeFile, ...argv], { cwd: opts.cwd, env: opts.env ?? process.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    }, opts.timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      let report = "";
      try {
        report = readFileSync(timeFile, "utf8");
      } catch {
        // Killed before GNU time wrote its report.
      }
      rmSync(dir, { recursive: true, force: true });
      // GNU time exits with the child's status.
      const okCodes = opts.okCodes ?? [0];
      const rss = timedOut ? undefined : peakRss(report);
      const cpuMs = timedOut ? undefined : cpu(report);
      resolve({
        ok: !timedOut && code !== null && okCodes.includes(code),
        timedOut,
        exitCode: code,
        wallMs,
        ...(rss !== undefined ? { peakRssMb: rss } : {}),
        ...(cpuMs !== undefined ? { cpuMs } : {}),
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
  });
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}
