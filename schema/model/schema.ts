import type { FunctionDecl, PolicyDecl, RetiredObject, RoleDecl, SchemaModel, TableDecl } from "./types";
import type { PolicyBuilder } from "./policies";
import { splitQualified } from "./names";
import { validateModel } from "./validate";

/** A policy declared apart from its table (e.g. in an area file), attached by `defineSchema`. */
export interface TablePolicy {
  readonly table: string;
  readonly policy: PolicyDecl;
}

export function policyOn(table: string, p: PolicyDecl | PolicyBuilder): TablePolicy {
  return { table, policy: "build" in p ? p.build() : p };
}

export interface SchemaConfig {
  readonly schemas: readonly string[];
  readonly extensions?: readonly string[];
  readonly roles: readonly RoleDecl[];
  readonly functions?: readonly FunctionDecl[];
  readonly tables: readonly TableDecl[];
  /** Policies declared apart from their tables; each must name a declared table. */
  readonly policies?: readonly TablePolicy[];
  readonly retired?: readonly RetiredObject[];
}

/**
 * Assembles the model and validates it; throws `ModelError` listing every problem.
 * Nothing reaches a database from a model that did not pass here.
 */
export function defineSchema(config: SchemaConfig): SchemaModel {
  const problems: string[] = [];
  const tables = config.tables.map((t) => {
    const extra = (config.policies ?? []).filter((tp) => {
      const { schema, name } = splitQualified(tp.table);
      return schema === t.schema && name === t.name;
    });
    return extra.length === 0 ? t : { ...t, policies: [...t.policies, ...extra.map((tp) => tp.policy)] };
  });
  for (const tp of config.policies ?? []) {
    const { schema, name } = splitQualified(tp.table);
    if (!tables.some((t) => t.schema === schema && t.name === name)) {
      problems.push(`policy ${tp.policy.name} is on table ${schema}.${name}, which the model does not declare; declare the table or fix the name`);
    }
  }
  const model: SchemaModel = {
    schemas: config.schemas,
    extensions: config.extensions ?? [],
    roles: config.roles,
    functions: config.functions ?? [],
    tables,
    retired: config.retired ?? [],
  };
  validateModel(model, problems);
  return model;
}
