import type { FunctionDecl, RetiredObject, RoleDecl, Volatility } from "./types";
import { splitQualified } from "./names";

export interface FunctionConfig {
  readonly args?: readonly { readonly name: string; readonly type: string }[];
  readonly returns: string;
  readonly language: "sql" | "plpgsql";
  readonly volatility: Volatility;
  readonly securityDefiner?: boolean;
  /**
   * Required: an unpinned search_path lets a caller's schema shadow the objects the
   * body names (and for SECURITY DEFINER, run them with the owner's rights). `""` is safest.
   */
  readonly searchPath: string;
  readonly body: string;
  /** Roles granted EXECUTE; PUBLIC never is. */
  readonly executableBy?: readonly string[];
}

/** `CREATE FUNCTION schema.name(args) RETURNS ... LANGUAGE ... SET search_path = ... AS $$body$$`. */
export function func(qualifiedName: string, config: FunctionConfig): FunctionDecl {
  const { schema, name } = splitQualified(qualifiedName);
  return {
    schema,
    name,
    args: config.args ?? [],
    returns: config.returns,
    language: config.language,
    volatility: config.volatility,
    securityDefiner: config.securityDefiner ?? false,
    searchPath: config.searchPath,
    body: config.body,
    executableBy: config.executableBy ?? [],
  };
}

export interface RoleConfig {
  readonly origin: RoleDecl["origin"];
  readonly login?: boolean;
  readonly bypassRls?: boolean;
  readonly purpose: string;
}

/** A role the schema relies on; `platform` roles are provided by Supabase (created as equivalents on plain PostgreSQL). */
export function role(name: string, config: RoleConfig): RoleDecl {
  return { name, origin: config.origin, login: config.login ?? false, bypassRls: config.bypassRls ?? false, purpose: config.purpose };
}

/** Something that existed before and must go, e.g. `retired("function", "public.set_customer_context(uuid)", "...")`. */
export function retired(kind: RetiredObject["kind"], identity: string, reason: string): RetiredObject {
  return { kind, identity, reason };
}
