import type { PolicyCommand, PolicyDecl, SqlExpr } from "./types";

/**
 * `CREATE POLICY <name> ON <table> AS PERMISSIVE FOR <command> TO <roles> USING (...) WITH CHECK (...)`.
 * Immutable builder. Roles must be named: a policy without `TO` applies to PUBLIC,
 * every role of the cluster, which validation refuses.
 */
export class PolicyBuilder {
  constructor(private readonly state: PolicyDecl) {}

  for(command: PolicyCommand): PolicyBuilder {
    return new PolicyBuilder({ ...this.state, command });
  }

  to(...roles: string[]): PolicyBuilder {
    return new PolicyBuilder({ ...this.state, roles });
  }

  /** Which existing rows the command sees (SELECT, UPDATE, DELETE). */
  using(expr: SqlExpr): PolicyBuilder {
    return new PolicyBuilder({ ...this.state, using: expr });
  }

  /** Which new rows the command may write (INSERT, UPDATE); UPDATE without it reuses USING. */
  withCheck(expr: SqlExpr): PolicyBuilder {
    return new PolicyBuilder({ ...this.state, withCheck: expr });
  }

  /** `AS RESTRICTIVE`: ANDed with the permissive policies instead of ORed. */
  restrictive(): PolicyBuilder {
    return new PolicyBuilder({ ...this.state, permissive: false });
  }

  build(): PolicyDecl {
    return this.state;
  }
}

export function policy(name: string): PolicyBuilder {
  return new PolicyBuilder({ name, command: "all", roles: [], permissive: true });
}
