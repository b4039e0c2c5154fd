/**
 * Runs the Pulumi program (index.ts) under mocks, as a stack of this project would:
 * configuration from the committed `Pulumi.<stack>.yaml` plus injected secrets, every
 * registered resource recorded with its inputs, and every resource's options (parent,
 * dependsOn, protect, retainOnDelete) captured through a stack transformation, since
 * mocks never see options. Mocks are set before the program is loaded, one program
 * run per test file.
 *
 * The program is compiled with tsc to CommonJS and loaded with Node's own require, as
 * Pulumi runs it. Loading it through vitest's transform instead would make every
 * dynamic resource serialize vite's module wrappers (`__vite_ssr_import_N__`) rather
 * than the program's code, and those wrappers break on Node built-ins (crypto).
 */
import * as pulumi from "@pulumi/pulumi";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { parse } from "yaml";

const ROOT = join(__dirname, "..", "..");

export const PROJECT = "ve-infra";
export type StackName = "dev" | "staging" | "prod";

/** Test-only secret values; the tests check they never appear unprotected. */
export const SECRETS = { databasePassword: "db-Pa55word-not-for-state", planReaderPassword: "reader-Pa55/word?&" } as const;

export interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  /** `type::name`, the key of the options map. */
  readonly key: string;
  /** The provider reference (`urn::id`) the resource was registered with. */
  readonly provider?: string;
}

export interface Options {
  readonly parent?: string;
  readonly dependsOn: string[];
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly provider?: string;
}

export interface ProgramRun {
  readonly resources: Registered[];
  /** By `type::name`. */
  readonly options: Map<string, Options>;
  readonly outputs: Record<string, pulumi.Output<unknown>>;
}

/** Stack-file values as the engine hands them to a program: objects and lists as JSON text. */
export function stackConfig(stack: StackName, override: Record<string, unknown> = {}): Record<string, string> {
  const file = parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
  const values: Record<string, unknown> = { ...file.config, [`${PROJECT}:databasePassword`]: SECRETS.databasePassword, [`${PROJECT}:planReaderPassword`]: SECRETS.planReaderPassword, ...override };
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

export const SECRET_KEYS = [`${PROJECT}:databasePassword`, `${PROJECT}:planReaderPassword`];

export function resolve<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((r) => o.apply((v) => { r(v); return v; }));
}

const compiledDirs: string[] = [];

/** Removes what compileCommonJs wrote (call from afterAll: vitest ends workers without "exit"). */
export function removeCompiled(): void {
  for (const dir of compiledDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Compiles `entry` (and what it imports) into a fresh directory under .work/ with the
 * compiler options Pulumi itself uses (tsconfig.pulumi.json, named in Pulumi.yaml), so
 * the tests exercise the same JavaScript the engine would run and serialize.
 */
export function compileCommonJs(entry: string, label: string): string {
  mkdirSync(join(ROOT, ".work"), { recursive: true });
  const out = mkdtempSync(join(ROOT, ".work", `${label}-`));
  compiledDirs.push(out);
  const project = join(out, "tsconfig.json");
  writeFileSync(project, JSON.stringify({
    extends: join(ROOT, "tsconfig.pulumi.json"),
    compilerOptions: { outDir: out, rootDir: ROOT, noEmit: false },
    files: [join(ROOT, entry)],
    include: [],
  }));
  const tsc = createRequire(join(ROOT, "package.json")).resolve("typescript/bin/tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", project], { cwd: ROOT, stdio: "pipe" });
  } catch (e) {
    // Type errors still emit JavaScript; `tsc --noEmit` is the type gate. Only a missing
    // output (a syntax error, a missing file) stops the test here.
    const js = join(out, entry.replace(/\.ts$/, ".js"));
    if (!existsSync(js)) throw new Error(`tsc produced no ${js}:\n${String((e as { stdout?: Buffer }).stdout ?? e)}`);
  }
  return out;
}

let compiledProgram: string | undefined;

/**
 * Runs the compiled program's module code afresh (compiled once per test file): its
 * modules are dropped from Node's cache first, so the program reads the config again.
 */
function loadCompiledProgram(): Record<string, unknown> {
  compiledProgram ??= compileCommonJs("index.ts", "program");
  const dir = compiledProgram;
  const req = createRequire(join(dir, "index.js"));
  for (const k of Object.keys(req.cache)) if (k.startsWith(dir)) delete req.cache[k];
  return req(join(dir, "index.js")) as Record<string, unknown>;
}

/**
 * Loads the compiled program without a root stack, for configuration that must fail
 * before any resource exists. (Inside runInPulumiStack a failing program also rejects
 * the stack resource's own promises, which nothing awaits.) Returns what was registered.
 */
export async function loadProgramExpectingFailure(stack: StackName, config: Record<string, string>, secretKeys = SECRET_KEYS): Promise<{ error: unknown; registered: string[] }> {
  const registered: string[] = [];
  pulumi.runtime.setAllConfig(config, secretKeys);
  await pulumi.runtime.setMocks({
    newResource: (a) => { registered.push(`${a.type}::${a.name}`); return { id: `${a.name}-id`, state: a.inputs }; },
    call: (a) => a.inputs,
  }, PROJECT, stack, false);
  try {
    loadCompiledProgram();
  } catch (error) {
    return { error, registered };
  }
  throw new Error(`the program accepted the configuration and registered ${registered.length} resources`);
}

/**
 * Sets config and mocks, then loads the compiled program inside a stack. Call once per
 * process (test file): the Pulumi runtime and the module cache are process-global.
 */
export async function runProgram(stack: StackName, config: Record<string, string> = stackConfig(stack), secretKeys = SECRET_KEYS): Promise<ProgramRun> {
  const resources: Registered[] = [];
  pulumi.runtime.setAllConfig(config, secretKeys);
  await pulumi.runtime.setMocks({
    newResource: (a) => {
      resources.push({ type: a.type, name: a.name, inputs: a.inputs as Record<string, unknown>, key: `${a.type}::${a.name}`, provider: a.provider });
      return { id: `${a.name}-id`, state: a.inputs };
    },
    call: (a) => a.inputs,
  }, PROJECT, stack, false);

  const pending: Promise<[string, Options]>[] = [];
  let outputs: Record<string, pulumi.Output<unknown>> = {};
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((a) => {
      const deps = a.opts.dependsOn;
      const list = (Array.isArray(deps) ? deps : deps ? [deps] : []) as pulumi.Input<pulumi.Resource>[];
      const self = `${a.type}::${a.name}`;
      pending.push((async (): Promise<[string, Options]> => {
        const resolved = await Promise.all(list.map((d) => resolve(pulumi.output(d).apply((r) => (r as pulumi.Resource).urn))));
        const parentUrn = a.opts.parent ? shortUrn(await resolve(a.opts.parent.urn)) : undefined;
        const provider = "provider" in a.opts && a.opts.provider ? await resolve(a.opts.provider.urn) : undefined;
        const opts = a.opts as pulumi.CustomResourceOptions;
        return [self, {
          parent: parentUrn, dependsOn: resolved.map(shortUrn), protect: opts.protect === true, retainOnDelete: opts.retainOnDelete === true,
          provider: provider ? shortUrn(provider) : undefined,
        }];
      })());
      return undefined;
    });
    const program = loadCompiledProgram();
    outputs = Object.fromEntries(Object.entries(program).filter(([, v]) => pulumi.Output.isInstance(v))) as Record<string, pulumi.Output<unknown>>;
    return outputs;
  });
  const options = new Map(await Promise.all(pending));
  return { resources, options, outputs };
}

/** `urn:...::parent$type::name` -> `type::name`, the key the options map uses. */
export function shortUrn(urn: string): string {
  const parts = urn.split("::");
  const types = parts[2].split("$");
  return `${types[types.length - 1]}::${parts.slice(3).join("::")}`;
}

/** True when `value` is the mock runtime's wrapper for a secret. */
export function isSecretWrapper(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270";
}

/** Every string in `value` that is not inside a secret wrapper. */
export function plainStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => plainStrings(v, out));
  else if (typeof value === "object" && value !== null && !isSecretWrapper(value)) Object.values(value).forEach((v) => plainStrings(v, out));
  return out;
}
