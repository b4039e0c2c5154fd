/**
 * Passwords never reach the terminal or a CI log: every URL the CLI echoes goes
 * through maskUrl, and error text from drivers goes through maskSecrets.
 */

/** postgres://user:secret@host/db -> postgres://user:****@host/db */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "****";
    for (const key of ["password", "sslpassword"]) if (u.searchParams.has(key)) u.searchParams.set(key, "****");
    return u.toString();
  } catch {
    return maskSecrets(url);
  }
}

/** Masks the password part of any URL-looking text and `password=...` pairs inside free text. */
export function maskSecrets(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]+)(@)/gi, "$1****$3")
    .replace(/(password\s*=\s*)('[^']*'|"[^"]*"|\S+)/gi, "$1****");
}
