import { eq } from 'drizzle-orm';
import { beforeEach, expect, vi } from 'vitest';
import {
  finishPasskeyRegistration,
  startPasskeyAssertion,
  startPasskeyRegistration,
} from '../lib/auth/passkey-ceremonies';
import type { ChallengeCookie, ChallengePurpose } from '../lib/auth/webauthn-challenges';
import { takeChallenge } from '../lib/auth/webauthn-challenges';
import type { RelyingParty } from '../lib/config';
import { getDb } from '../lib/db/client';
import { type Passkey, type User, users } from '../lib/db/schema';
import { makeRequest, ORIGIN } from './http';
import { SAME_ORIGIN } from './session-helpers';
import { type AuthenticatorOptions, register, type SoftwareCredential } from './software-authenticator';

/** Passkeys made and used the way a browser would, against the relying party the tests run as. */

export const TEST_RP: RelyingParty = { id: new URL(ORIGIN).hostname, origin: ORIGIN };

export const AUTHENTICATOR: AuthenticatorOptions = { origin: TEST_RP.origin, rpId: TEST_RP.id };

export const CONTEXT = { ip: '203.0.113.50', userAgent: 'passkey test/1' };

/** A cookie store holding one cookie, as a request carries it. */
export function cookieJar(cookie: { name: string; value: string }) {
  return { get: (name: string) => (name === cookie.name ? { value: cookie.value } : undefined) };
}

export async function userRow(id: string): Promise<User> {
  const db = await getDb();
  const [row] = await db.select().from(users).where(eq(users.id, id));
  if (!row) throw new Error(`no user ${id}`);
  return row;
}

export type RegisteredPasskey = { credential: SoftwareCredential; passkey: Passkey };

/** Registration's options for `user`, as the options route hands them over. */
export async function registrationStart(user: User) {
  const start = await startPasskeyRegistration(user, TEST_RP, false, CONTEXT);
  if (!start.ok) throw new Error('rate limited');
  return start;
}

/** Registers a new software passkey on `userId`'s account, through the server's ceremony. */
export async function addPasskey(
  userId: string,
  name = 'Test key',
  options: Partial<AuthenticatorOptions> = {},
): Promise<RegisteredPasskey> {
  const user = await userRow(userId);
  const start = await registrationStart(user);
  const { credential, response } = register(start.options.challenge, user.id, { ...AUTHENTICATOR, ...options });
  const challenge = await takeChallenge(cookieJar(start.cookie), 'registration', user.id, false);
  const added = await finishPasskeyRegistration(user, response, name, challenge, TEST_RP, CONTEXT);
  if (!added.ok) throw new Error(`registration refused: ${added.reason}`);
  return { credential, passkey: added.passkey };
}

/** A sign-in or step-up challenge: the options' challenge, and the cookie naming it. */
export async function assertionChallenge(
  purpose: Extract<ChallengePurpose, 'sign_in' | 'step_up'>,
  user: User | null = null,
): Promise<{ challenge: string; cookie: ChallengeCookie }> {
  const start = await startPasskeyAssertion(purpose, user, TEST_RP, false, CONTEXT);
  expect(start.ok).toBe(true);
  if (!start.ok) throw new Error('rate limited');
  return { challenge: start.options.challenge, cookie: start.cookie };
}

/** A page script's call to one of the options routes, with `cookies` (a session's, or none). */
export function askForOptions(
  route: (request: ReturnType<typeof makeRequest>) => Promise<Response>,
  path: string,
  cookies?: Record<string, string>,
): Promise<Response> {
  return route(makeRequest('POST', path, { headers: { ...SAME_ORIGIN }, cookies }));
}

/** Each test of the file runs on a site whose passkeys work: APP_URL is the tests' origin. */
export function passkeysOnForEachTest(): void {
  beforeEach(() => {
    vi.stubEnv('APP_URL', SAME_ORIGIN.origin);
  });
}
