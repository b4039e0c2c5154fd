import { role, type RoleDecl } from "../model";

/**
 * The three API roles Supabase provides (PostgREST switches to one per request from
 * the JWT). On plain PostgreSQL `preparePlatform` creates equivalents.
 */
export const anon: RoleDecl = role("anon", {
  origin: "platform",
  purpose: "Requests without a signed-in user. Reads the public marketplace catalog (stable and beta agents) and nothing else.",
});

export const authenticated: RoleDecl = role("authenticated", {
  origin: "platform",
  purpose: "A signed-in customer (JWT sub = customers.id). Every tenant table admits it only to its own rows through RLS policies.",
});

export const serviceRole: RoleDecl = role("service_role", {
  origin: "platform",
  bypassRls: true,
  purpose:
    "The platform backend (API server, agent gateway, billing). BYPASSRLS because it acts for every customer: it writes usage and audit rows, " +
    "provisions agents and routes for any tenant, and must see all rows to do so. Never handed to a browser.",
});

export const platformRoles: readonly RoleDecl[] = [anon, authenticated, serviceRole];
