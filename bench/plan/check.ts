/**
 * Did a tool's SQL fix every drift item? Tool-agnostic: the output is split into
 * statements, and an item counts as found when one statement names its object and
 * says what the fix must say (e.g. `force row level security` for FORCE RLS). What
 * each peer misses is discovered here, never assumed.
 */
import type { DriftItem } from "./drift";

export interface CheckResult {
  readonly found: readonly DriftItem[];
  readonly missed: readonly DriftItem[];
  /** Statements that touch a tenant table with no drift: work the tool should not have proposed. */
  readonly noise: readonly string[];
  readonly statements: number;
}

/** Statements of a SQL script; policy and index text in these outputs never holds a `;`. */
export function splitStatements(sqlText: string): string[] {
  return sqlText
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.replace(/^(\s*--[^\n]*\n)+/, "").trim())
    .filter((s) => s.length > 0 && !s.startsWith("--"));
}

function names(name: string): RegExp {
  // Identifiers may be quoted and schema-qualified; `_` is a word character, so t_0001 never matches t_0001_select.
  return new RegExp(`\\b${name}\\b`);
}

export function checkOutput(sqlText: string, items: readonly DriftItem[]): CheckResult {
  const statements = splitStatements(sqlText);
  const found: DriftItem[] = [];
  const missed: DriftItem[] = [];
  for (const it of items) {
    const re = names(it.object);
    (statements.some((s) => re.test(s) && it.fix.test(s)) ? found : missed).push(it);
  }
  const drifted = new Set(items.map((i) => i.table));
  const noise = statements.filter((s) => [...s.matchAll(/\bt_\d{4}\b/g)].some((m) => !drifted.has(m[0])));
  return { found, missed, noise, statements: statements.length };
}
