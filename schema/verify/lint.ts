/**
 * The database linter: Supabase's splinter rules plus the project's own, run as
 * catalog queries against a live database. Read-only: everything runs in one
 * read-only transaction that is rolled back.
 */
import { Client, type ClientConfig } from "pg";
import type { SchemaModel } from "../model/types";
import type { Finding, LintOptions } from "./types";
import { LINT_RULES, type LintRow } from "./lint-rules";


export async function lint(db: ClientConfig, model: SchemaModel, opts: LintOptions = {}): Promise<Finding[]> {
  const schemas = [...(opts.schemas ?? model.schemas)];
  const tenant = model.tables.filter((t) => t.tenancy !== undefined);
  const params = [schemas, tenant.map((t) => t.schema), tenant.map((t) => t.name), tenant.map((t) => t.tenancy?.column ?? "")];

  const client = new Client(db);
  await client.connect();
  try {
    await client.query("begin read only");
    // Policy text must spell auth.uid() schema-qualified for auth_rls_initplan (as in splinter).
    await client.query("set local search_path = ''");
    const findings: Finding[] = [];
    for (const rule of LINT_RULES) {
      const { rows } = await client.query<LintRow>(rule.sql, params);
      for (const r of rows) {
        const message = rule.refine ? rule.refine(r) : r.message;
        if (message !== undefined) findings.push({ check: rule.check, level: rule.level, object: r.object, message, remediation: rule.remediation });
      }
    }
    return findings;
  } finally {
    await client.query("rollback").catch(() => undefined);
    await client.end();
  }
}
