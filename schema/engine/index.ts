/**
 * The engine's public API: introspect -> normalise -> diff -> plan -> apply, plan
 * rendering, and the schema as one SQL file.
 */
export { introspect, catalogFingerprint, stableStringify, type FingerprintScope, type IntrospectOptions } from "./introspect";
export { plan, startPlan, type PlanOptions, type StartedPlan } from "./plan";
export { renderPlan, type PlanFormat } from "./render";
export { renderSchemaSql } from "./schema-sql";
export { ModelExpressionError } from "./normalize";
export { quoteIdent, quoteLiteral, qualifiedName, qualifiedKey, tableKey } from "./sql";
export { currentFingerprint } from "./fingerprint";
export { apply, ApplyError, DataLossRefusedError, type ApplyOptions, type ApplyEvent } from "./apply";
export { TABLE_LOCK_TIMEOUT_MS, TABLE_STATEMENT_TIMEOUT_MS, ONLINE_LOCK_TIMEOUT_MS, ONLINE_STATEMENT_TIMEOUT_MS, GLOBAL_LOCK_TIMEOUT_MS, GLOBAL_STATEMENT_TIMEOUT_MS } from "./steps";
export type { Catalog } from "./catalog-types";
export type * from "./plan-types";
