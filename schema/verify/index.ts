/** Verification of a live database against the model: the linter and the tenant isolation suite. */
export { lint } from "./lint";
export { LINT_RULES, type LintRule } from "./lint-rules";
export { verifyIsolation, DEFAULT_PUBLIC_CATALOG, DEFAULT_FORBIDDEN } from "./isolation";
export type * from "./types";
export { renderFindings, renderIsolationSummary } from "./report";
