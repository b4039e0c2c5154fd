/**
 * The fingerprint of the live catalog as a given plan sees it, so apply can refuse a
 * plan computed from a catalog that has changed since.
 */
import type { Client } from "pg";
import { withClient, type Db } from "./connection";
import { catalogFingerprint, introspectWith } from "./introspect";
import type { Plan } from "./plan-types";

export async function currentFingerprint(db: Db | Client, plan: Plan): Promise<string> {
  return withClient(db, async (c) => {
    const catalog = await introspectWith(c, plan.schemas ?? ["public"], { definitions: false });
    return catalogFingerprint(catalog, { tables: plan.scope, global: plan.includesGlobal ?? true });
  });
}
