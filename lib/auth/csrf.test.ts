import { describe, expect, it } from 'vitest';
import { POST as postChirp } from '@/app/api/chirps/route';
import { GET as me } from '@/app/api/me/route';
import { POST as refresh } from '@/app/api/refresh/route';
import { POST as revoke } from '@/app/api/revoke/route';
import { DELETE as endSession } from '@/app/api/sessions/[sessionID]/route';
import { browserSession, rowCounts } from '@/test/fixtures';
import { jsonOf, makeRequest, params } from '@/test/http';
import { accessTokenClaims, SAME_ORIGIN, tokenRow } from '@/test/session-helpers';

/**
 * The proxy does not run for an API call whose access cookie is live, so the handlers hold
 * cookie-authenticated writes to the CSRF rule themselves: a write with a foreign Origin, or with
 * neither Origin nor Sec-Fetch-Site, is refused and changes nothing.
 */
const FOREIGN = { host: 'localhost:3000', origin: 'https://evil.example' };
const NEITHER = { host: 'localhost:3000' };

describe('cookie-authenticated writes reaching the handlers', () => {
  it.each([
    ['a foreign Origin', FOREIGN],
    ['neither Origin nor Sec-Fetch-Site', NEITHER],
    ['Sec-Fetch-Site: cross-site', { ...SAME_ORIGIN, 'sec-fetch-site': 'cross-site' }],
  ])('are refused with 403 when they come with %s', async (_label, headers) => {
    const session = await browserSession();
    const cookies = { chirpy_access: session.access, chirpy_refresh: session.refresh };
    const sid = accessTokenClaims(session.access).sid;

    const answers = [
      await postChirp(makeRequest('POST', '/api/chirps', { json: { body: 'forged' }, cookies, headers })),
      await revoke(makeRequest('POST', '/api/revoke', { cookies, headers })),
      await refresh(makeRequest('POST', '/api/refresh', { cookies, headers })),
      await endSession(makeRequest('DELETE', `/api/sessions/${sid}`, { cookies, headers }), params({ sessionID: sid })),
    ];

    for (const answer of answers) {
      expect(await jsonOf(answer)).toEqual({ status: 403, body: { error: 'Cross-site request refused' } });
    }
    expect((await rowCounts()).chirps).toBe(0);
    expect((await tokenRow(session.refresh)).revokedAt).toBeNull();
  });

  it('let the same writes through from our own pages, and reads through from anywhere', async () => {
    const session = await browserSession();
    const cookies = { chirpy_access: session.access };
    const posted = await postChirp(
      makeRequest('POST', '/api/chirps', { json: { body: 'mine' }, cookies, headers: SAME_ORIGIN }),
    );
    expect(posted.status).toBe(201);
    expect((await me(makeRequest('GET', '/api/me', { cookies, headers: FOREIGN }))).status).toBe(200);
  });
});
