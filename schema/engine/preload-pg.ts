/**
 * Loads `pg` before anything else, so its runtime check does not cost start-up time
 * on Node 20. At load, pg asks whether it runs in a Cloudflare Worker: it reads
 * `navigator.userAgent`, and where there is no `navigator` (Node before 21) it
 * constructs a `Response`, which makes Node 20 load its whole fetch implementation
 * (undici): 25 to 35 ms of every command's start, for an answer that is always "no"
 * here. A `navigator` like the one Node 21+ defines answers the question; it exists
 * only while pg loads, so nothing else sees a global Node 20 does not have.
 *
 * Import it first in a process entry (bin/ve-infra.js, bench/plan/ours.ts).
 */
const g = globalThis as { navigator?: unknown };
if (g.navigator === undefined) {
  g.navigator = { userAgent: `Node.js/${process.versions.node.split(".")[0]}` };
  try {
    require("pg");
  } finally {
    delete g.navigator;
  }
}

export {};
