import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GET as me } from '@/app/api/me/route';
import { POST as revoke } from '@/app/api/revoke/route';
import { createRefreshTokenValue } from '@/lib/auth/tokens';
import { getDb } from '@/lib/db/client';
import { refreshTokens } from '@/lib/db/schema';
import { apiSession, deleteUserRow, publicAccountMatching, refreshTokenRows, withDatabaseDown } from '@/test/fixtures';
import { expectError, jsonOf, makeRequest } from '@/test/http';
import { POST } from './route';

/** The bearer path: the contract in docs/api.md. The browser cookie path is tested on its own. */

const INVALID = 'Invalid, expired or revoked refresh token';

function postRefresh(refreshToken: string) {
  return POST(makeRequest('POST', '/api/refresh', { bearer: refreshToken }));
}

describe('POST /api/refresh with Authorization: Bearer <refresh token>', () => {
  it('answers 200 with only a new one-hour access token for the same user', async () => {
    const session = await apiSession();

    const { status, body } = await jsonOf(await postRefresh(session.refreshToken));

    expect(status).toBe(200);
    expect(body).toStrictEqual({ token: expect.any(String) });
    const { token } = z.object({ token: z.string() }).parse(body);
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: 'chirpy-access', sub: session.id });
    expect(claims.exp).toBe((claims.iat ?? 0) + 3600);
    const whoAmI = await jsonOf(await me(makeRequest('GET', '/api/me', { bearer: token })));
    expect(whoAmI).toStrictEqual({ status: 200, body: publicAccountMatching(session.email) });
  });

  it('does not rotate: the same refresh token keeps working and stays the only one', async () => {
    const session = await apiSession();
    const [before] = await refreshTokenRows(session.id);

    expect((await postRefresh(session.refreshToken)).status).toBe(200);
    expect((await postRefresh(session.refreshToken)).status).toBe(200);

    const rows = await refreshTokenRows(session.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ tokenHash: before?.tokenHash, revokedAt: null, expiresAt: before?.expiresAt });
  });

  it('answers 40 concurrent refreshes with one token: every one 200, each access token working', async () => {
    const session = await apiSession();

    const answers = await Promise.all(Array.from({ length: 40 }, () => postRefresh(session.refreshToken)));

    expect(answers.map((answer) => answer.status)).toEqual(Array(40).fill(200));
    const last = z.object({ token: z.string() }).parse(await answers[39]?.json());
    expect((await me(makeRequest('GET', '/api/me', { bearer: last.token }))).status).toBe(200);
    expect(await refreshTokenRows(session.id)).toHaveLength(1);
  });

  it('answers 401 to a revoked refresh token', async () => {
    const session = await apiSession();
    expect((await revoke(makeRequest('POST', '/api/revoke', { bearer: session.refreshToken }))).status).toBe(204);

    expect(await expectError(await postRefresh(session.refreshToken), 401)).toBe(INVALID);
  });

  it('answers 401 to an expired refresh token', async () => {
    const session = await apiSession();
    const db = await getDb();
    await db.update(refreshTokens).set({ expiresAt: new Date(Date.now() - 1000) });

    expect(await expectError(await postRefresh(session.refreshToken), 401)).toBe(INVALID);
  });

  it('answers 401 to a well-formed token it never issued', async () => {
    await apiSession();

    expect(await expectError(await postRefresh(createRefreshTokenValue()), 401)).toBe(INVALID);
  });

  it('answers 401 when the user is gone (their tokens went with them)', async () => {
    const session = await apiSession();
    await deleteUserRow(session.id);

    expect(await expectError(await postRefresh(session.refreshToken), 401)).toBe(INVALID);
  });

  it('answers 401 to an access token presented as a refresh token', async () => {
    const session = await apiSession();

    expect(await expectError(await postRefresh(session.token), 401)).toBe(INVALID);
  });

  it('answers 401 when the Authorization header is missing', async () => {
    await apiSession();

    await expectError(await POST(makeRequest('POST', '/api/refresh')), 401);
  });

  it.each([
    ['a scheme and no token', 'Bearer'],
    ['a scheme and a blank token', 'Bearer    '],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['two tokens', 'Bearer one two'],
    ['a token and no scheme', 'abcdef0123456789'],
  ])('answers 401 JSON to a malformed header: %s', async (_label, authorization) => {
    const session = await apiSession();

    await expectError(await POST(makeRequest('POST', '/api/refresh', { headers: { authorization } })), 401);
    expect((await refreshTokenRows(session.id))[0]?.revokedAt).toBeNull();
  });

  it('answers 401 to the refresh token itself under another scheme', async () => {
    const session = await apiSession();

    await expectError(
      await POST(makeRequest('POST', '/api/refresh', { headers: { authorization: `ApiKey ${session.refreshToken}` } })),
      401,
    );
  });

  it('answers 503 when the database is down', async () => {
    const session = await apiSession();

    await withDatabaseDown(async () => {
      expect(await jsonOf(await postRefresh(session.refreshToken))).toStrictEqual({
        status: 503,
        body: { error: 'Service unavailable: the database is not answering' },
      });
    });
  });
});
