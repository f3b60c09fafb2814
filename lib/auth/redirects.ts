/**
 * Where to send someone after signing in. Only a path on this site is honoured; anything that a
 * browser could read as another origin (`//evil.example`, `/\evil.example`, `https://…`) or that
 * smuggles control characters falls back to the home page.
 */
export function safeNextPath(candidate: string | null | undefined, fallback = '/'): string {
  if (!candidate || !isSitePath(candidate)) return fallback;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(candidate)) return fallback;
  const base = 'http://chirpy.invalid';
  const resolved = new URL(candidate, base);
  if (resolved.origin !== base) return fallback;
  // Checked again after resolving: dot segments collapse `/.//evil.example` into `//evil.example`,
  // which the browser reads as another origin when it is written back into a Location header.
  const path = `${resolved.pathname}${resolved.search}${resolved.hash}`;
  return isSitePath(path) ? path : fallback;
}

/** A path on this site, not one a browser reads as another origin (`//host`, `/\host`). */
function isSitePath(path: string): boolean {
  return path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\');
}

export function loginPath(next: string): string {
  return `/login?next=${encodeURIComponent(safeNextPath(next))}`;
}
