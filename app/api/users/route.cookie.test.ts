import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { verifyAccessToken } from '@/lib/auth/tokens';
import { getDb } from '@/lib/db/client';
import { users } from '@/lib/db/schema';
import { PASSWORD, signUp, uniqueEmail } from '@/test/fixtures';
import { makeRequest, setCookies } from '@/test/http';
import { accessTokenClaims, cookieSet, maxAgeOf, SAME_ORIGIN, tokenRow } from '@/test/session-helpers';
import { POST } from './route';

function signUpForm(email: string, password = PASSWORD, headers: Record<string, string> = {}) {
  return makeRequest('POST', '/api/users', { form: { email, password }, headers: { ...SAME_ORIGIN, ...headers } });
}

async function userByEmail(email: string) {
  const db = await getDb();
  return db.select().from(users).where(eq(users.email, email));
}

describe('POST /api/users from the sign-up form', () => {
  it('creates the account, signs it in and goes home: 303 to / with both session cookies', async () => {
    const email = uniqueEmail();

    const response = await POST(signUpForm(email));

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    const [user] = await userByEmail(email);
    if (!user) throw new Error('the account was not created');
    const access = cookieSet(response, 'chirpy_access');
    const refresh = cookieSet(response, 'chirpy_refresh');
    expect(await verifyAccessToken(access.value)).toMatchObject({ ok: true, userId: user.id });
    expect(await tokenRow(refresh.value)).toMatchObject({
      userId: user.id,
      client: 'browser',
      sessionId: accessTokenClaims(access.value).sid,
      revokedAt: null,
    });
    for (const cookie of [access, refresh]) {
      expect(cookie.attributes.get('httponly')).toBe(true);
      expect(String(cookie.attributes.get('samesite')).toLowerCase()).toBe('lax');
      expect(cookie.attributes.get('path')).toBe('/');
      expect(cookie.attributes.has('secure')).toBe(false);
      expect(maxAgeOf(cookie)).toBeGreaterThan(0);
    }
  });

  it('over https (said by a trusted proxy): __Host- cookies, Secure', async () => {
    vi.stubEnv('TRUST_PROXY', '1');
    const response = await POST(signUpForm(uniqueEmail(), PASSWORD, { 'x-forwarded-proto': 'https' }));
    expect([...setCookies(response).keys()].sort()).toEqual(['__Host-chirpy_access', '__Host-chirpy_refresh']);
    expect(cookieSet(response, '__Host-chirpy_refresh').attributes.get('secure')).toBe(true);
  });

  it('a taken email: 303 back to the form with email_taken, no cookie, and the account is not signed in', async () => {
    const existing = await signUp();

    const response = await POST(signUpForm(existing.email, 'another password'));

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/signup?error=email_taken');
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await userByEmail(existing.email)).toHaveLength(1);
  });

  it('a password that is too short: 303 back with password_short, no account and no cookie', async () => {
    const email = uniqueEmail();

    const response = await POST(signUpForm(email, 'short'));

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/signup?error=password_short');
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await userByEmail(email)).toEqual([]);
  });
});
