/** The model: declaration types, the factories that build them, and validation. */
export type * from "./types";
export { sql, isSqlExpr } from "./sql";
export { ModelError } from "./errors";
export { ColumnBuilder, column, uuid, text, varchar, integer, bigint, smallint, numeric, boolean, jsonb, date, timestamptz } from "./columns";
export { primaryKey, unique, check, foreignKey, ForeignKeyBuilder } from "./constraints";
export { index, uniqueIndex, IndexBuilder } from "./indexes";
export { policy, PolicyBuilder } from "./policies";
export { grant } from "./grants";
export { trigger, TriggerBuilder } from "./triggers";
export { func, role, retired, type FunctionConfig, type RoleConfig } from "./functions";
export { table, type TableConfig } from "./table";
export { defineSchema, policyOn, type SchemaConfig, type TablePolicy } from "./schema";
export { validateModel } from "./validate";
export { identifierProblem, splitQualified, MAX_IDENTIFIER_BYTES } from "./names";
