import type { GrantDecl, TablePrivilege } from "./types";

function decl(role: string, privileges: readonly TablePrivilege[], columns: readonly string[]): GrantDecl {
  return columns.length > 0 ? { role, privileges, columns } : { role, privileges };
}

/**
 * `GRANT <privilege> [(<columns>)] ON <table> TO <role>`. With columns the grant is
 * column-level: `grant("authenticated").update("title")` lets the role change only
 * `title`, which is how a customer is kept from changing e.g. its subscription tier.
 */
export function grant(role: string) {
  return {
    select: (...columns: string[]): GrantDecl => decl(role, ["select"], columns),
    insert: (...columns: string[]): GrantDecl => decl(role, ["insert"], columns),
    update: (...columns: string[]): GrantDecl => decl(role, ["update"], columns),
    references: (...columns: string[]): GrantDecl => decl(role, ["references"], columns),
    delete: (): GrantDecl => decl(role, ["delete"], []),
    truncate: (): GrantDecl => decl(role, ["truncate"], []),
    trigger: (): GrantDecl => decl(role, ["trigger"], []),
    /** Several table-level privileges at once: `grant("service_role").privileges("select", "insert")`. */
    privileges: (...privileges: TablePrivilege[]): GrantDecl => decl(role, privileges, []),
  };
}
