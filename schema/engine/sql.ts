/**
 * The only place SQL text is escaped. Every identifier and literal the engine puts
 * into a statement goes through these helpers.
 */

/** Quotes an identifier always: PostgreSQL folds unquoted names to lower case and reserves keywords. */
export function quoteIdent(name: string): string {
  if (name.length === 0) throw new Error("empty SQL identifier");
  if (name.includes("\u0000")) throw new Error(`SQL identifier contains a NUL byte: ${JSON.stringify(name)}`);
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A standard-conforming string literal. With standard_conforming_strings on (the
 * default since 9.1) backslashes are literal, so only quotes need doubling; the E''
 * form is used when a backslash is present so the literal means the same either way.
 */
export function quoteLiteral(value: string): string {
  if (value.includes("\u0000")) throw new Error("SQL literal contains a NUL byte");
  const body = value.replace(/'/g, "''");
  return value.includes("\\") ? `E'${body.replace(/\\/g, "\\\\")}'` : `'${body}'`;
}

/** `"schema"."name"` */
export function qualifiedName(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** A comma-separated list of quoted identifiers. */
export function identList(names: readonly string[]): string {
  return names.map(quoteIdent).join(", ");
}

/** The key the engine uses for a table everywhere: `schema.name` unquoted. */
export function tableKey(schema: string, name: string): string {
  return `${schema}.${name}`;
}

/** Splits `schema.name` (as produced by tableKey; names never contain dots in the model). */
export function splitTableKey(key: string): { schema: string; name: string } {
  const i = key.indexOf(".");
  if (i <= 0) throw new Error(`not a qualified table name: ${key}`);
  return { schema: key.slice(0, i), name: key.slice(i + 1) };
}

/** `"a"."b"` for a key `a.b`. */
export function qualifiedKey(key: string): string {
  const { schema, name } = splitTableKey(key);
  return qualifiedName(schema, name);
}

/**
 * A dollar-quoted string whose tag does not occur in the body, so a function body
 * is stored exactly as declared (prosrc) and compares equal on the next plan.
 */
export function dollarQuote(body: string, base = "body"): string {
  let tag = `$${base}$`;
  for (let i = 0; body.includes(tag); i++) tag = `$${base}${i}$`;
  return `${tag}${body}${tag}`;
}

/** The `search_path` setting value for a list of schemas. */
export function searchPathValue(schemas: readonly string[]): string {
  return schemas.length === 0 ? "''" : schemas.map(quoteIdent).join(", ");
}
