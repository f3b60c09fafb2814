import 'server-only';
import { createHmac } from 'node:crypto';
import type { RequestContext } from '../http/request-context';
import { addressSubject } from '../rate-limit';
import { resolveJwtSecrets } from './jwt-secret';

/**
 * The rate-limit subjects that name a person by email: the per-account sign-in limits and the
 * per-email reset limit. The `rate_limits` table must not become a list of every address someone
 * tried, and a bare SHA-256 would not stop that: anyone holding a dump of the table could hash a
 * list of addresses and look them up. So a key is an HMAC under a server secret.
 *
 * The secret is derived from JWT_SECRET rather than set on its own: every instance already shares
 * it (they must agree on keys, since the counters are shared), production already requires it,
 * and development already generates one. The derivation label keeps the two uses apart: knowing
 * a key proves nothing about a token signature, and the reverse. When JWT_SECRET rotates, these
 * keys change with it and the email-keyed counts start again from zero, which costs at most one
 * window's worth of extra attempts.
 */

const KEY_LABEL = 'chirpy rate-limit keys';

let derived: { secret: string; key: Buffer } | undefined;

function subjectKey(): Buffer {
  const secret = resolveJwtSecrets().current;
  if (derived?.secret !== secret) {
    derived = { secret, key: createHmac('sha256', secret).update(KEY_LABEL).digest() };
  }
  return derived.key;
}

/**
 * One address, however it was typed: compatibility forms folded (fullwidth `ａ` is `a`), then
 * trimmed and lower-cased. The schemas at the edges do the same; this holds for any caller.
 */
export function normalizeEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

function keyed(...parts: string[]): string {
  return createHmac('sha256', subjectKey()).update(parts.join('\u0000')).digest('hex');
}

/** The subject of a per-account limit counted from anywhere. */
export function emailSubject(email: string): string {
  return keyed(normalizeEmail(email));
}

/** The subject of a per-account limit counted per client network. */
export function emailAtAddressSubject(email: string, context: RequestContext): string {
  return keyed(normalizeEmail(email), addressSubject(context));
}
