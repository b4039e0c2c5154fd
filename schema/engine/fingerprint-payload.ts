/**
 * The bytes catalogFingerprint hashes. A table counts by its `digest`: the hash of the
 * document the catalog read returned for it (introspect-queries.ts), which holds every
 * fact the engine reads about the table except row estimates and definitions (text
 * for people; what they add to the other fields is in the document's `stored`). Whatever the read
 * learns about a table is in its fingerprint without being listed here. Schema-wide
 * objects are rebuilt with their keys in sorted (UTF-16 code unit) order and
 * serialised by one `JSON.stringify`; `Record<keyof T, unknown>` makes the compiler
 * insist that a field added to a catalog type is added here too.
 */
import type { Catalog, CatalogFunction, CatalogPrivilege, CatalogTable } from "./catalog-types";

type Canon<T> = Record<keyof T, unknown>;

const privilege = (p: CatalogPrivilege): Canon<CatalogPrivilege> => ({ grantable: p.grantable, grantee: p.grantee, privilege: p.privilege });

/** A table in scope. */
export const tablePayload = (key: string, t: CatalogTable): { digest: string; key: string } => ({ digest: t.digest, key });

/** A table in scope that does not exist. */
export const absentPayload = (key: string): { absent: true; key: string } => ({ absent: true, key });

export const functionPayload = (f: CatalogFunction): Canon<CatalogFunction> => ({
  argTypes: f.argTypes,
  body: f.body,
  config: f.config,
  identityArgs: f.identityArgs.map((a) => ({ name: a.name, type: a.type })),
  language: f.language,
  name: f.name,
  owner: f.owner,
  privileges: f.privileges.map(privilege),
  returns: f.returns,
  schema: f.schema,
  securityDefiner: f.securityDefiner,
  volatility: f.volatility,
});

/** The whole payload, keys sorted: extensions, functions, schemas, tables. */
export function fingerprintPayload(catalog: Catalog, tables: readonly unknown[], global: boolean): string {
  return JSON.stringify(
    global
      ? { extensions: catalog.extensions, functions: catalog.functions.map(functionPayload), schemas: catalog.schemas, tables }
      : { tables },
  );
}
