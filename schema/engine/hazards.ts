/**
 * Hazards, derived from what a statement does. Each message says what may happen
 * and why, in one sentence, for the reviewer reading the plan.
 */
import type { Hazard } from "./plan-types";

export const hazard = {
  dataLoss: (message: string): Hazard => ({ kind: "DATA_LOSS", message }),
  rewrite: (message: string): Hazard => ({ kind: "TABLE_REWRITE", message }),
  longLock: (message: string): Hazard => ({ kind: "LONG_LOCK", message }),
  indexBuild: (message: string): Hazard => ({ kind: "INDEX_BUILD", message }),
  security: (message: string, widensAccess: boolean): Hazard => ({ kind: "SECURITY", message, widensAccess }),
};

export const INDEX_BUILD_MESSAGE =
  "Builds an index concurrently: writes continue, but the build reads the whole table and can take long on a big one.";
