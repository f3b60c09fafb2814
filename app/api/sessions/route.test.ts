import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { POST as login } from '@/app/api/login/route';
import { POST as refresh } from '@/app/api/refresh/route';
import { POST as revoke } from '@/app/api/revoke/route';
import { getDb } from '@/lib/db/client';
import { refreshTokens, users } from '@/lib/db/schema';
import { apiSession, browserSession, PASSWORD, signUp } from '@/test/fixtures';
import { expectError, fromAddress, ISO_TIMESTAMP, jsonOf, makeRequest, UUID } from '@/test/http';
import { accessTokenClaims, SAME_ORIGIN, setSessionTime } from '@/test/session-helpers';
import { GET } from './route';

// fromAddress plays a client on a bare server (no proxy in front); the Vercel run of the suite sets
// VERCEL, which would otherwise make the platform's headers the source of the address.
beforeEach(() => {
  vi.stubEnv('TRUST_PROXY', 'none');
});

const CHROME_ON_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

const sessionSchema = z.strictObject({
  id: z.string(),
  created_at: z.string(),
  last_used_at: z.string(),
  device: z.string(),
  ip: z.string().nullable(),
  current: z.boolean(),
});

async function listWith(options: { bearer?: string; cookie?: string }) {
  const request = makeRequest('GET', '/api/sessions', {
    ...(options.bearer === undefined ? {} : { bearer: options.bearer }),
    ...(options.cookie === undefined ? {} : { cookies: { chirpy_access: options.cookie }, headers: SAME_ORIGIN }),
  });
  const { status, body } = await jsonOf(await GET(request));
  expect(status).toBe(200);
  return z.array(sessionSchema).parse(body);
}

/** Every string in a JSON value, however deep. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(stringsIn);
  return [];
}

describe('GET /api/sessions', () => {
  it('answers 401 without an access token', async () => {
    await expectError(await GET(makeRequest('GET', '/api/sessions')), 401);
  });

  it("lists the caller's live sessions, bearer and browser, with exactly the public fields; its own is current", async () => {
    const first = await apiSession();
    const second = await apiSession(first);
    const browser = await browserSession(first);
    await apiSession();

    const sessions = await listWith({ bearer: second.token });

    const ids = [first.token, second.token, browser.access].map((token) => accessTokenClaims(token).sid);
    expect(sessions.map((session) => session.id).sort()).toEqual([...ids].sort());
    for (const session of sessions) {
      expect(session.id).toMatch(UUID);
      expect(session.created_at).toMatch(ISO_TIMESTAMP);
      expect(session.last_used_at).toMatch(ISO_TIMESTAMP);
      expect(session.current).toBe(session.id === accessTokenClaims(second.token).sid);
    }
  });

  it('with the session cookie, the browser session is the current one', async () => {
    const browser = await browserSession();
    await apiSession(browser);

    const sessions = await listWith({ cookie: browser.access });

    expect(sessions).toHaveLength(2);
    expect(sessions.filter((session) => session.current).map((session) => session.id)).toEqual([
      accessTokenClaims(browser.access).sid,
    ]);
  });

  it('describes the device from the user agent and shows the address the session was last used from', async () => {
    const user = await signUp();
    const response = await login(
      makeRequest('POST', '/api/login', {
        json: { email: user.email, password: PASSWORD },
        headers: { ...fromAddress('203.0.113.40'), 'user-agent': CHROME_ON_MAC },
      }),
    );
    const { token, refresh_token } = z
      .object({ token: z.string(), refresh_token: z.string() })
      .parse((await jsonOf(response)).body);
    const [atLogin] = await listWith({ bearer: token });
    expect(atLogin).toMatchObject({ device: 'Chrome on macOS', ip: '203.0.113.40', current: true });

    await new Promise((resolve) => setTimeout(resolve, 5));
    await refresh(
      makeRequest('POST', '/api/refresh', { bearer: refresh_token, headers: fromAddress('198.51.100.41') }),
    );

    const [later] = await listWith({ bearer: token });
    expect(later).toMatchObject({ device: 'Chrome on macOS', ip: '198.51.100.41', created_at: atLogin?.created_at });
    expect(Date.parse(later?.last_used_at ?? '')).toBeGreaterThan(Date.parse(atLogin?.last_used_at ?? ''));
  });

  it('leaves out sessions that ended: signed out, past their end, or idle (browser)', async () => {
    const caller = await apiSession();
    const signedOut = await apiSession(caller);
    const expired = await apiSession(caller);
    const idle = await browserSession(caller);
    const idleBearer = await apiSession(caller);
    await revoke(makeRequest('POST', '/api/revoke', { bearer: signedOut.refreshToken }));
    await setSessionTime(accessTokenClaims(expired.token).sid, 'expiresAt', 1);
    await setSessionTime(accessTokenClaims(idle.access).sid, 'lastUsedAt', 8 * 24 * 60 * 60);
    // Bearer refresh tokens have no idle rule: a long-unused one still works, so it is listed.
    await setSessionTime(accessTokenClaims(idleBearer.token).sid, 'lastUsedAt', 30 * 24 * 60 * 60);

    const sessions = await listWith({ bearer: caller.token });

    expect(sessions.map((session) => session.id).sort()).toEqual(
      [caller.token, idleBearer.token].map((token) => accessTokenClaims(token).sid).sort(),
    );
  });

  it('never contains token material or hashes: no access token, refresh token, token hash or password hash', async () => {
    const bearer = await apiSession();
    const browser = await browserSession(bearer);
    const rotated = await refresh(
      makeRequest('POST', '/api/refresh', { cookies: { chirpy_refresh: browser.refresh }, headers: SAME_ORIGIN }),
    );
    expect(rotated.status).toBe(204);

    const response = await GET(makeRequest('GET', '/api/sessions', { bearer: bearer.token }));
    const text = await response.clone().text();
    const body = (await jsonOf(response)).body;

    const db = await getDb();
    const rows = await db.select().from(refreshTokens).where(eq(refreshTokens.userId, bearer.id));
    const [user] = await db.select().from(users).where(eq(users.id, bearer.id));
    const secrets = [
      bearer.token,
      bearer.refreshToken,
      browser.access,
      browser.refresh,
      ...rows.flatMap((row) => [row.tokenHash, row.replacedBy ?? '']),
      user?.hashedPassword ?? '',
    ].filter((secret) => secret !== '');
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    for (const secret of secrets) expect(text).not.toContain(secret);
    for (const value of stringsIn(body)) {
      for (const secret of secrets) {
        expect(value).not.toContain(secret);
        // Nor a long piece of one (a hash prefix, a JWT's signature).
        if (value.length >= 16) expect(secret).not.toContain(value);
      }
    }
    // The JWT parts (a signature alone would do harm) are not there either.
    for (const part of [...bearer.token.split('.'), ...browser.access.split('.')]) expect(text).not.toContain(part);
  });
});
