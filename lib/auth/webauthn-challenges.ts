import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { getDb } from '../db/client';
import { webauthnChallenges } from '../db/schema';
import type { CookieReader } from './cookies';

/**
 * A WebAuthn ceremony's challenge, kept on the server for five minutes and good for one answer.
 * The browser gets a random token in an httpOnly cookie, one cookie per purpose (a step-up and a
 * registration can be under way on one page at once); the database keeps the token's SHA-256, the
 * challenge, and for registration and step-up the account that asked. Taking a challenge deletes
 * its row in the same statement that reads it, so two answers racing for one challenge cannot
 * both have it, and an expired one is gone too.
 */

export type ChallengePurpose = 'registration' | 'sign_in' | 'step_up';

export const CHALLENGE_TTL_SECONDS = 5 * 60;

const COOKIE_NAMES: Record<ChallengePurpose, string> = {
  registration: 'chirpy_passkey_registration',
  sign_in: 'chirpy_passkey_sign_in',
  step_up: 'chirpy_passkey_step_up',
};

/** Over https the `__Host-` prefix, as the session cookies: a sibling subdomain cannot plant one. */
export function challengeCookieName(purpose: ChallengePurpose, secure: boolean): string {
  return secure ? `__Host-${COOKIE_NAMES[purpose]}` : COOKIE_NAMES[purpose];
}

export type ChallengeCookie = {
  name: string;
  value: string;
  httpOnly: true;
  sameSite: 'strict';
  path: '/';
  secure: boolean;
  maxAge: number;
};

/** A NextResponse's cookies or next/headers' cookie store. */
export type ChallengeCookieWriter = { set(cookie: ChallengeCookie): unknown };

/**
 * Strict: a page of another site cannot make the browser send it, so a ceremony can only be
 * finished from our own pages.
 */
function challengeCookie(purpose: ChallengePurpose, secure: boolean, value: string, maxAge: number): ChallengeCookie {
  const name = challengeCookieName(purpose, secure);
  return { name, value, httpOnly: true, sameSite: 'strict', path: '/', secure, maxAge };
}

function hashChallengeToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export type IssuedChallenge = { challenge: string; cookie: ChallengeCookie };

/**
 * A fresh challenge (32 random bytes, base64url, as WebAuthn signs it) stored for `purpose`, and
 * the cookie that binds it to this browser. `now`: tests move the clock.
 */
export async function issueChallenge(
  purpose: ChallengePurpose,
  userId: string | null,
  secure: boolean,
  now = Date.now(),
): Promise<IssuedChallenge> {
  const token = randomBytes(32).toString('base64url');
  const challenge = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now + CHALLENGE_TTL_SECONDS * 1000);
  const db = await getDb();
  await db
    .insert(webauthnChallenges)
    .values({ tokenHash: hashChallengeToken(token), purpose, userId, challenge, expiresAt });
  return { challenge, cookie: challengeCookie(purpose, secure, token, CHALLENGE_TTL_SECONDS) };
}

export type ChallengeTaken = { ok: true; challenge: string } | { ok: false; reason: 'no_challenge' };

/**
 * The challenge this browser's cookie names for `purpose` (and, for a signed-in ceremony, for
 * `userId`), deleted as it is read. Missing, spent, expired, another purpose's or another
 * account's: all the same refusal.
 */
export async function takeChallenge(
  cookies: CookieReader,
  purpose: ChallengePurpose,
  userId: string | null,
  secure: boolean,
  now = Date.now(),
): Promise<ChallengeTaken> {
  const token = cookies.get(challengeCookieName(purpose, secure))?.value;
  if (!token) return { ok: false, reason: 'no_challenge' };
  const db = await getDb();
  const owner = userId === null ? undefined : eq(webauthnChallenges.userId, userId);
  const [row] = await db
    .delete(webauthnChallenges)
    .where(
      and(eq(webauthnChallenges.tokenHash, hashChallengeToken(token)), eq(webauthnChallenges.purpose, purpose), owner),
    )
    .returning();
  if (!row || row.expiresAt.getTime() <= now) return { ok: false, reason: 'no_challenge' };
  return { ok: true, challenge: row.challenge };
}

/** The cookie's end, once its challenge is spent. */
export function clearChallengeCookie(store: ChallengeCookieWriter, purpose: ChallengePurpose, secure: boolean): void {
  store.set(challengeCookie(purpose, secure, '', 0));
}
