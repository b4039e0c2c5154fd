/** `"public.tasks"` -> `{ schema: "public", name: "tasks" }`; an unqualified name is in `public`. */
export function splitQualified(qualified: string): { schema: string; name: string } {
  const dot = qualified.indexOf(".");
  if (dot < 0) return { schema: "public", name: qualified };
  return { schema: qualified.slice(0, dot), name: qualified.slice(dot + 1) };
}

/**
 * PostgreSQL's reserved key words (Appendix C, "reserved" in PostgreSQL). As unquoted
 * names they do not parse, and the model's raw SQL expressions name columns unquoted.
 */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast",
  "check", "collate", "column", "constraint", "create", "current_catalog", "current_date", "current_role",
  "current_time", "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do",
  "else", "end", "except", "false", "fetch", "for", "foreign", "from", "grant", "group", "having", "in",
  "initially", "intersect", "into", "lateral", "leading", "limit", "localtime", "localtimestamp", "not",
  "null", "offset", "on", "only", "or", "order", "placing", "primary", "references", "returning", "select",
  "session_user", "some", "symmetric", "system_user", "table", "then", "to", "trailing", "true", "union",
  "unique", "user", "using", "variadic", "when", "where", "window", "with",
]);

/** PostgreSQL truncates identifiers longer than NAMEDATALEN-1 = 63 bytes (silently, with a NOTICE). */
export const MAX_IDENTIFIER_BYTES = 63;

const PLAIN_NAME = /^[a-z_][a-z0-9_]*$/;

/** Why `name` is not a plain, unquoted PostgreSQL name, or undefined when it is. */
export function identifierProblem(name: unknown): string | undefined {
  if (typeof name !== "string" || name.length === 0) return "is empty; give it a name";
  // The common case first: a plain name is ASCII (bytes = length) and holds no punctuation.
  if (PLAIN_NAME.test(name)) {
    if (name.length > MAX_IDENTIFIER_BYTES) return `${JSON.stringify(name)} is ${name.length} bytes; PostgreSQL would truncate it to ${MAX_IDENTIFIER_BYTES}, so shorten it`;
    return RESERVED_WORDS.has(name) ? `${JSON.stringify(name)} is a reserved SQL key word; choose another name` : undefined;
  }
  if (/["';\\\s]|--|\/\*/.test(name)) {
    return `${JSON.stringify(name)} contains quotes, semicolons, comments or spaces, which are never allowed in names (they would let text escape into SQL); use lower-case letters, digits and _`;
  }
  return `${JSON.stringify(name)} is not a plain lower-case SQL name; use lower-case letters, digits and _, starting with a letter or _`;
}

/** A type as `format_type()` prints it: letters, digits, spaces, (p,s) and []. Nothing that can end a statement. */
export function isTypeName(t: unknown): boolean {
  return typeof t === "string" && /^[a-z_][a-z0-9_ .]*(\(\d+(,\d+)?\))?( with(out)? time zone)?(\[\])*$/.test(t);
}
