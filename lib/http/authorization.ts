import { timingSafeEqual } from 'node:crypto';

/**
 * `Authorization: <scheme> <credentials>`. Missing → null credentials with `present: false`;
 * any other shape (wrong scheme, no value, extra parts) is malformed.
 */
export type AuthorizationHeader =
  | { present: false }
  | { present: true; ok: true; credentials: string }
  | { present: true; ok: false };

export function readAuthorization(headers: Headers, scheme: 'Bearer' | 'ApiKey'): AuthorizationHeader {
  const header = headers.get('authorization');
  if (header === null) return { present: false };
  const match = /^(\S+) +(\S+)$/.exec(header.trim());
  if (!match || match[1]?.toLowerCase() !== scheme.toLowerCase() || match[2] === undefined) {
    return { present: true, ok: false };
  }
  return { present: true, ok: true, credentials: match[2] };
}

/** Compares secrets without leaking, through timing, how much of a guess was right. */
export function secretsEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
