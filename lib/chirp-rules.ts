/**
 * The rules of a chirp that the composer shows while you type and the server enforces on every
 * post. No server-only import: client components read the same constant the server checks.
 */
export const MAX_CHIRP_LENGTH = 140;

/** Characters as a person counts them (code points), not UTF-16 units: an emoji is one. */
export function chirpLength(body: string): number {
  return [...body].length;
}
