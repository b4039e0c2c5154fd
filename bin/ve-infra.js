#!/usr/bin/env node
// Runs the command line: the bundle dist/ve-infra.cjs (scripts/bundle.js, built by
// `npm ci`) while it is newer than every source file it was built from, else the
// TypeScript itself through tsx's CommonJS hook, so there is no build step between
// editing the engine and using the command. VE_INFRA_LOADER=tsx forces the second.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const verbose = process.argv.includes("--verbose");
const ROOT = path.resolve(__dirname, "..");
const BUNDLE = path.join(ROOT, "dist", "ve-infra.cjs");
const INPUTS = path.join(ROOT, "dist", "ve-infra.inputs.json");

/** Why the bundle cannot be used, or undefined when it exists and no file it was built from changed after it. */
function staleBundle() {
  if (process.env.VE_INFRA_LOADER === "tsx") return "VE_INFRA_LOADER=tsx";
  let built;
  let inputs;
  try {
    built = fs.statSync(BUNDLE).mtimeMs;
    inputs = JSON.parse(fs.readFileSync(INPUTS, "utf8"));
  } catch {
    return "no bundle (npm run build makes one)";
  }
  for (const f of inputs) {
    let changed;
    try {
      changed = fs.statSync(path.join(ROOT, f)).mtimeMs;
    } catch {
      return `${f} is gone`;
    }
    if (changed > built) return `${f} changed after the bundle was built`;
  }
  return undefined;
}

let main;
try {
  const stale = staleBundle();
  if (verbose) console.error(stale ? `ve-infra: compiling the sources with tsx: ${stale}` : "ve-infra: running dist/ve-infra.cjs");
  if (!stale) {
    ({ main } = require(BUNDLE));
  } else {
    require("tsx/cjs");
    ({ main } = require("../cli/entry.ts"));
  }
} catch (err) {
  // A missing dependency or a syntax error in the tree: one line, not tsx's minified source.
  const message = err && err.message ? String(err.message).split("\n")[0] : String(err);
  console.error(`error: cannot load ve-infra: ${message}`);
  console.error("hint: run `npm ci` in the repository; run again with --verbose for the stack trace");
  if (verbose && err && err.stack) console.error(err.stack);
  process.exit(1);
}
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // main() reports its own errors; reaching here is a bug in the CLI itself.
    console.error(`error: internal error in ve-infra: ${err && err.message ? err.message : String(err)}`);
    console.error("hint: please report it with the output of --verbose");
    if (verbose && err && err.stack) console.error(err.stack);
    process.exitCode = 1;
  },
);
