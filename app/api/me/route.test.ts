import { describe, expect, it } from 'vitest';
import {
  type ApiSession,
  accessClaims,
  apiSession,
  deleteUserRow,
  nowSeconds,
  publicAccountMatching,
  signJwt,
} from '@/test/fixtures';
import { expectError, jsonOf, makeRequest } from '@/test/http';
import { accessTokenClaims } from '@/test/session-helpers';
import { GET } from './route';

/** Bearer tokens here; the browser's cookie session is tested on its own. */

/** The claims of the session's own access token, issued now: what a forger with the secret would sign. */
function claimsOf(session: ApiSession) {
  return accessClaims(session.id, accessTokenClaims(session.token).sid);
}

function getMe(token?: string) {
  return GET(makeRequest('GET', '/api/me', token === undefined ? {} : { bearer: token }));
}

describe('GET /api/me with a Bearer access token', () => {
  it("answers 200 with the token's user, public fields only", async () => {
    const session = await apiSession();

    expect(await jsonOf(await getMe(session.token))).toStrictEqual({
      status: 200,
      body: { ...publicAccountMatching(session.email), id: session.id },
    });
  });

  it('answers 401 without a token', async () => {
    expect(await expectError(await getMe(), 401)).toBe('Missing access token');
  });

  it('answers 401 to a refresh token', async () => {
    const session = await apiSession();

    expect(await expectError(await getMe(session.refreshToken), 401)).toBe('Invalid access token');
  });

  it('answers 401 to an expired token, and says so', async () => {
    const session = await apiSession();
    const expired = await signJwt({ ...claimsOf(session), iat: nowSeconds() - 3660, exp: nowSeconds() - 60 });

    expect(await expectError(await getMe(expired), 401)).toBe('Access token expired');
  });

  it('still accepts a token that expired a moment ago (a few seconds of clock skew are allowed)', async () => {
    const session = await apiSession();
    const justExpired = await signJwt({ ...claimsOf(session), iat: nowSeconds() - 3600, exp: nowSeconds() - 1 });

    expect((await getMe(justExpired)).status).toBe(200);
  });

  it('accepts a token signed with the secret that names the live session', async () => {
    const session = await apiSession();

    expect((await getMe(await signJwt(claimsOf(session)))).status).toBe(200);
  });

  it('answers 401 to a token signed with the secret that names no session (no sid)', async () => {
    const session = await apiSession();

    const withoutSid = await signJwt({ ...claimsOf(session), sid: undefined });

    expect(await expectError(await getMe(withoutSid), 401)).toBe('Invalid access token');
  });

  it('answers 401 once the user is gone, although the token itself is intact', async () => {
    const session = await apiSession();
    await deleteUserRow(session.id);

    expect(await expectError(await getMe(session.token), 401)).toBe('Invalid access token');
  });
});
