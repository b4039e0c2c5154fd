/**
 * The providers as the provider host runs them: compiled by tsc to CommonJS, serialized
 * with `pulumi.runtime.serializeFunction` in plain node (as `pulumi.dynamic.Resource`
 * does for `__provider`), loaded back from text with require-from-string and
 * `.handler()`, then driven through the same scenarios against PostgreSQL.
 */
import type * as pulumi from "@pulumi/pulumi";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileCommonJs, removeCompiled } from "./harness";
import { providerScenarios, type Providers } from "./support/scenarios";

const ROOT = join(__dirname, "..", "..");
const NAMES = ["table", "function", "platform", "retired"] as const;
/** Each resource's state carries its provider's text; past this, state and every operation grow noticeably. */
const SIZE_BUDGET = 250_000;

type Summary = Record<(typeof NAMES)[number], { bytes: number; containsSecrets: boolean; file: string }>;
type Loader = (code: string, filename?: string) => { handler(): pulumi.dynamic.ResourceProvider };

let serialized: Promise<{ summary: Summary; texts: Record<string, string> }> | undefined;

function serializeOnce(): Promise<{ summary: Summary; texts: Record<string, string> }> {
  serialized ??= (async () => {
    const out = compileCommonJs("test/pulumi/support/serialize-providers.ts", "serialize");
    const target = join(out, "text");
    mkdirSync(target);
    const stdout = execFileSync(process.execPath, [join(out, "test/pulumi/support/serialize-providers.js"), target], { cwd: ROOT, encoding: "utf8" });
    const summary = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as Summary;
    const texts = Object.fromEntries(NAMES.map((n) => [n, readFileSync(summary[n].file, "utf8")]));
    return { summary, texts };
  })();
  return serialized;
}

async function loadSerialized(): Promise<Providers> {
  const { texts } = await serializeOnce();
  // The loader the provider host uses (cmd/dynamic-provider/index.js).
  const requireFromString = createRequire(join(ROOT, "package.json"))("require-from-string") as Loader;
  const load = (n: (typeof NAMES)[number]) => requireFromString(texts[n]).handler();
  return { table: load("table"), function: load("function"), platform: load("platform"), retired: load("retired") };
}

afterAll(removeCompiled);

describe("serialized providers", () => {
  it("serialize without secrets, machine paths or test-runner code, within the size budget", async () => {
    const { summary, texts } = await serializeOnce();
    for (const n of NAMES) {
      expect(summary[n].containsSecrets, n).toBe(false);
      expect(summary[n].bytes, n).toBeLessThan(SIZE_BUDGET);
      expect(texts[n], n).not.toContain("__vite_ssr");
      expect(texts[n], n).not.toContain(ROOT);
      // node_modules packages are required by name, not copied.
      expect(texts[n], n).toContain('require("pg")');
      expect(texts[n], n).not.toMatch(/password\s*[:=]\s*["'][^"']+["']/i);
    }
    console.log(`serialized provider sizes: ${NAMES.map((n) => `${n} ${(summary[n].bytes / 1024).toFixed(0)} KB`).join(", ")}`);
  });

  it("load back with the host's loader and expose the provider methods", async () => {
    const p = await loadSerialized();
    for (const n of NAMES) for (const m of ["configure", "create", "diff", "read", "delete"] as const) expect(typeof p[n][m], `${n}.${m}`).toBe("function");
  });
});

providerScenarios("serialized providers", loadSerialized);
