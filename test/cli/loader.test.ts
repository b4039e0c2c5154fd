/**
 * bin/ve-infra.js runs the bundle (scripts/bundle.js) while it is newer than every
 * source it was built from, and the TypeScript sources through tsx otherwise. Tried in
 * a scratch root holding a copy of bin/, a bundle built there, and links to the sources.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, runCli } from "./run";

const { bundle } = require(path.join(REPO, "scripts", "bundle.js")) as { bundle(entry: string, outfile: string): string[] };

describe("the ve-infra loader", () => {
  let root: string;
  let bin: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), "ve-loader-"));
    mkdirSync(path.join(root, "bin"));
    mkdirSync(path.join(root, "dist"));
    bin = path.join(root, "bin", "ve-infra.js");
    copyFileSync(path.join(REPO, "bin", "ve-infra.js"), bin);
    for (const dir of ["cli", "schema", "config", "k8s", "node_modules"]) symlinkSync(path.join(REPO, dir), path.join(root, dir));
    const inputs = bundle(path.join(REPO, "cli", "entry.ts"), path.join(root, "dist", "ve-infra.cjs"));
    expect(inputs).toContain("cli/main.ts");
    expect(inputs).toContain("schema/engine/plan.ts");
    expect(inputs.some((f) => f.includes("node_modules"))).toBe(false);
    // The scratch bundle lists one stand-in source, so the test can age it without touching the tree.
    writeFileSync(path.join(root, "source.ts"), "// stand-in\n");
    writeFileSync(path.join(root, "dist", "ve-infra.inputs.json"), JSON.stringify(["source.ts"]));
    const past = new Date(Date.now() - 60_000);
    utimesSync(path.join(root, "source.ts"), past, past);
  }, 60_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("runs the bundle while its sources are older", async () => {
    const r = await runCli(["--help", "--verbose"], { bin });
    expect(r.stderr).toContain("ve-infra: running dist/ve-infra.cjs");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: ve-infra");
  });

  it("compiles the sources when one changed after the bundle, and says which", async () => {
    const future = new Date(Date.now() + 60_000);
    utimesSync(path.join(root, "source.ts"), future, future);
    const r = await runCli(["--help", "--verbose"], { bin });
    expect(r.stderr).toContain("ve-infra: compiling the sources with tsx: source.ts changed after the bundle was built");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: ve-infra");
  });

  it("compiles the sources when there is no bundle, or when asked to", async () => {
    const forced = await runCli(["--help", "--verbose"], { bin, env: { VE_INFRA_LOADER: "tsx" } });
    expect(forced.stderr).toContain("compiling the sources with tsx: VE_INFRA_LOADER=tsx");
    rmSync(path.join(root, "dist"), { recursive: true });
    const none = await runCli(["--help", "--verbose"], { bin });
    expect(none.stderr).toContain("compiling the sources with tsx: no bundle");
    expect(none.code).toBe(0);
  });
});
