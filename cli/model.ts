/**
 * The declared model a command compares with: the platform schema by default, or a
 * module given with `--model` (tests and experiments declare small models that way,
 * with the same factories).
 */
import * as path from "node:path";
import type { SchemaModel } from "../schema/model";
import { CliError } from "./errors";

function isModel(v: unknown): v is SchemaModel {
  if (typeof v !== "object" || v === null) return false;
  const m = v as Record<string, unknown>;
  return Array.isArray(m.tables) && Array.isArray(m.schemas) && Array.isArray(m.roles) && Array.isArray(m.functions);
}

export function loadModel(modulePath: string | undefined): SchemaModel {
  if (modulePath === undefined) {
    // Loaded lazily: the platform schema validates itself on import, which a bad declaration turns into a ModelError.
    const app = require("../schema/app") as { platformSchema: SchemaModel };
    return app.platformSchema;
  }
  const file = path.resolve(process.cwd(), modulePath);
  // A TypeScript model needs tsx's hook; the bundled command line (dist/) has not registered it.
  if (/\.[cm]?ts$/.test(file)) require("tsx/cjs");
  let mod: Record<string, unknown>;
  try {
    mod = require(file) as Record<string, unknown>;
  } catch (err) {
    if ((err as { code?: string }).code === "MODULE_NOT_FOUND" && (err as Error).message.includes(file)) {
      throw new CliError(`--model: no module at ${file}`, "pass the path of a .ts or .js file that exports `model`");
    }
    throw err;
  }
  const candidate = [mod.model, mod.default, mod.platformSchema].find(isModel);
  if (!candidate) throw new CliError(`--model: ${modulePath} exports no SchemaModel`, "export it as `export const model = defineSchema({...})`");
  return candidate;
}
