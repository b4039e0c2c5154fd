#!/usr/bin/env node
// Runs the TypeScript command line directly: tsx's CommonJS hook compiles cli/ on
// load, so there is no build step between editing the engine and using the command.
"use strict";
const verbose = process.argv.includes("--verbose");
let main;
try {
  require("tsx/cjs");
  require("../schema/engine/preload-pg.ts");
  ({ main } = require("../cli/main.ts"));
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
