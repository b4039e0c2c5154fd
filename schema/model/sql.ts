import type { SqlExpr } from "./types";

/**
 * Raw SQL, written as the SQL it stands for: `` sql`customer_id = (select auth.uid())` ``.
 * Only other `SqlExpr` fragments and numbers may be interpolated: strings are refused
 * because the model never escapes anything (escaping lives in the engine), so a string
 * spliced in here would be an injection waiting to happen.
 */
export function sql(strings: TemplateStringsArray, ...values: readonly (SqlExpr | number)[]): SqlExpr {
  let out = strings[0] ?? "";
  values.forEach((v, i) => {
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new TypeError(`sql\`\`: cannot interpolate ${v}`);
      out += String(v);
    } else if (isSqlExpr(v)) {
      out += v.sql;
    } else {
      throw new TypeError("sql``: only SqlExpr fragments and numbers may be interpolated; strings are refused to keep SQL escaping out of the model");
    }
    out += strings[i + 1] ?? "";
  });
  return { sql: out.trim() };
}

export function isSqlExpr(v: unknown): v is SqlExpr {
  return typeof v === "object" && v !== null && typeof (v as { sql?: unknown }).sql === "string";
}
