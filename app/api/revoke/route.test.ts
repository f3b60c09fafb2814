import { describe, expect, it } from 'vitest';
import { POST as refresh } from '@/app/api/refresh/route';
import { createRefreshTokenValue } from '@/lib/auth/tokens';
import { apiSession, refreshTokenRows, rowCounts, withDatabaseDown } from '@/test/fixtures';
import { expectError, expectNoContent, jsonOf, makeRequest } from '@/test/http';
import { POST } from './route';

/** The bearer path: the contract in docs/api.md. The browser cookie path is tested on its own. */

function postRevoke(refreshToken: string) {
  return POST(makeRequest('POST', '/api/revoke', { bearer: refreshToken }));
}

async function refreshStatus(refreshToken: string): Promise<number> {
  return (await refresh(makeRequest('POST', '/api/refresh', { bearer: refreshToken }))).status;
}

describe('POST /api/revoke with Authorization: Bearer <refresh token>', () => {
  it('answers 204 with an empty body, marks the token revoked, and refresh then fails with 401', async () => {
    const session = await apiSession();
    const startedAt = Date.now();

    await expectNoContent(await postRevoke(session.refreshToken));

    const rows = await refreshTokenRows(session.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.revokedAt).toBeInstanceOf(Date);
    expect(rows[0]?.revokedAt?.getTime()).toBeGreaterThanOrEqual(startedAt - 60_000);
    expect(rows[0]?.revokedReason).toBe('signed_out');
    expect(await refreshStatus(session.refreshToken)).toBe(401);
  });

  it('is idempotent: revoking again answers 204 and leaves the first revocation as it was', async () => {
    const session = await apiSession();
    await expectNoContent(await postRevoke(session.refreshToken));
    const [first] = await refreshTokenRows(session.id);

    await expectNoContent(await postRevoke(session.refreshToken));

    expect(await refreshTokenRows(session.id)).toStrictEqual([first]);
  });

  it('answers 204 to a token it never issued and changes nothing', async () => {
    const session = await apiSession();

    await expectNoContent(await postRevoke(createRefreshTokenValue()));
    await expectNoContent(await postRevoke('not-even-a-refresh-token'));

    expect((await refreshTokenRows(session.id))[0]?.revokedAt).toBeNull();
    expect(await refreshStatus(session.refreshToken)).toBe(200);
  });

  it('ends only the session of that token: another login of the same user keeps working', async () => {
    const session = await apiSession();
    const other = await apiSession(session);

    await expectNoContent(await postRevoke(session.refreshToken));

    expect(await refreshStatus(session.refreshToken)).toBe(401);
    expect(await refreshStatus(other.refreshToken)).toBe(200);
  });

  it('does not accept an access token in place of the refresh token', async () => {
    const session = await apiSession();

    await expectNoContent(await postRevoke(session.token));

    expect(await refreshStatus(session.refreshToken)).toBe(200);
  });

  it('answers 401 JSON when the Authorization header is missing', async () => {
    await apiSession();

    await expectError(await POST(makeRequest('POST', '/api/revoke')), 401);
    expect((await rowCounts()).refreshTokens).toBe(1);
  });

  it.each([
    ['a scheme and no token', 'Bearer'],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['two tokens', 'Bearer one two'],
  ])('answers 401 JSON to a malformed header (%s) and revokes nothing', async (_label, authorization) => {
    const session = await apiSession();

    await expectError(await POST(makeRequest('POST', '/api/revoke', { headers: { authorization } })), 401);
    expect((await refreshTokenRows(session.id))[0]?.revokedAt).toBeNull();
  });

  it('answers 503 when the database is down, and the token stays valid', async () => {
    const session = await apiSession();

    await withDatabaseDown(async () => {
      expect(await jsonOf(await postRevoke(session.refreshToken))).toStrictEqual({
        status: 503,
        body: { error: 'Service unavailable: the database is not answering' },
      });
    });
    expect(await refreshStatus(session.refreshToken)).toBe(200);
  });
});
