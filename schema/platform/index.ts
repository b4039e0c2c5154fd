/** Supabase equivalents for plain PostgreSQL, the applier check, and acting as an API caller. */
export { preparePlatform, PlatformError, type Platform } from "./prepare";
export { checkApplier, ApplierError } from "./applier";
export { actAs, asCustomer, asAnon, withCaller, type Claims } from "./session";
export { PLATFORM_ROLES, AUTH_FUNCTIONS, PLATFORM_LOCK_KEY } from "./auth-sql";
