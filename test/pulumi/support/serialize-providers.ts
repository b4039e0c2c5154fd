/**
 * Serializes each dynamic provider the way `pulumi.dynamic.Resource` does, from the
 * tsc-compiled program (CommonJS), in plain node: the text the provider host would
 * load. Not run by vitest directly (vitest would serialize its own transformed code);
 * test/pulumi/serialize.test.ts compiles this file and runs it with node.
 *
 *   node <outDir>/test/pulumi/support/serialize-providers.js <targetDir>
 * writes <targetDir>/<name>.js per provider and prints a JSON summary.
 */
import * as pulumi from "@pulumi/pulumi";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { functionProvider, platformProvider, retiredProvider, tableProvider } from "../../../schema/pulumi";

const providers = { table: tableProvider, function: functionProvider, platform: platformProvider, retired: retiredProvider };

async function main(): Promise<void> {
  const target = process.argv[2];
  if (!target) throw new Error("usage: serialize-providers <targetDir>");
  const summary: Record<string, { bytes: number; containsSecrets: boolean; file: string }> = {};
  for (const [name, provider] of Object.entries(providers)) {
    const started = Date.now();
    // Exactly what dynamic/index.js does for each resource's `__provider`.
    const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    const file = join(target, `${name}.js`);
    writeFileSync(file, sf.text);
    summary[name] = { bytes: sf.text.length, containsSecrets: sf.containsSecrets, file };
    process.stderr.write(`${name}: ${sf.text.length} bytes in ${Date.now() - started} ms\n`);
  }
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
