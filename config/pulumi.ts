/**
 * Reads the project's keys from the running Pulumi program into the shape
 * parseStackConfig takes. Secret values are not kept here (only whether they are set
 * as secrets): the program takes them with `requireSecret`, so they stay Outputs
 * marked secret.
 */
import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "./errors";
import { SECRET_KEYS, STACK_KEYS, type StackKey } from "./stack";

/** Marks a key set with `--secret`; the value is never copied into the parsed configuration. */
const REDACTED_SECRET = { secure: "[secret]" } as const;

export function readPulumiConfigValues(): Record<string, unknown> {
  const cfg = new pulumi.Config(PROJECT);
  const values: Record<string, unknown> = {};
  for (const key of STACK_KEYS) {
    const v = cfg.get(key);
    if (v === undefined) continue;
    values[key] = SECRET_KEYS.includes(key) ? (isSecretKey(`${PROJECT}:${key}`) ? REDACTED_SECRET : "[plain text]") : v;
  }
  // Typos in key names (`ve-infra:customer`) should fail too, not be ignored.
  const all = pulumi.runtime.allConfig();
  for (const full of Object.keys(all)) {
    const key = full.slice(PROJECT.length + 1);
    if (full.startsWith(`${PROJECT}:`) && !(STACK_KEYS as readonly string[]).includes(key as StackKey)) values[full] = all[full];
  }
  return values;
}

/**
 * Whether the engine passed `key` as a secret (`pulumi config set --secret`). The SDK
 * answers this with `isConfigSecret` (runtime/config.js; exported but left out of the
 * typings); `setAllConfig(values, secretKeys)` feeds the same list in tests. When the
 * function is missing (another SDK version) the value is taken as secret rather than
 * failing every run.
 */
function isSecretKey(key: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const rc = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (k: string) => boolean };
  return typeof rc.isConfigSecret === "function" ? rc.isConfigSecret(key) : true;
}
