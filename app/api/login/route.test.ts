import bcrypt from 'bcrypt';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { GET as me } from '@/app/api/me/route';
import { hashRefreshToken } from '@/lib/auth/tokens';
import { MESSAGES } from '@/lib/messages';
import {
  PASSWORD,
  publicAccountMatching,
  publicUserMatching,
  refreshTokenRows,
  rowCounts,
  signUp,
  withDatabaseDown,
} from '@/test/fixtures';
import { expectError, jsonOf, makeRequest } from '@/test/http';
import { CROSS_SITE_BODY_TYPES, crossSiteBodyRequest, describeJsonBodyRules } from '@/test/json-body-rules';
import { POST } from './route';

afterEach(() => {
  vi.restoreAllMocks();
});

const DAY_MS = 24 * 60 * 60 * 1000;

const loginBody = z.object({ id: z.string(), token: z.string(), refresh_token: z.string() });

function postLogin(json: unknown) {
  return POST(makeRequest('POST', '/api/login', { json }));
}

describe('POST /api/login', () => {
  it('answers 200 with the public user plus an access token and a refresh token', async () => {
    const user = await signUp();

    const { status, body } = await jsonOf(await postLogin({ email: user.email, password: user.password }));

    expect(status).toBe(200);
    expect(body).toStrictEqual({
      ...publicUserMatching(user.email),
      id: user.id,
      token: expect.any(String),
      refresh_token: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('issues an HS256 access JWT from chirpy-access for the user, valid for one hour', async () => {
    const user = await signUp();
    const before = Math.floor(Date.now() / 1000);

    const { token } = loginBody.parse((await jsonOf(await postLogin({ email: user.email, password: PASSWORD }))).body);

    expect(decodeProtectedHeader(token).alg).toBe('HS256');
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: 'chirpy-access', sub: user.id });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.exp).toBe((claims.iat ?? 0) + 3600);
    const whoAmI = await jsonOf(await me(makeRequest('GET', '/api/me', { bearer: token })));
    expect(whoAmI).toStrictEqual({ status: 200, body: publicAccountMatching(user.email) });
  });

  it('stores the refresh token only as its SHA-256, as a bearer session expiring in 60 days', async () => {
    const user = await signUp();
    const loggedInAt = Date.now();

    const { refresh_token } = loginBody.parse(
      (await jsonOf(await postLogin({ email: user.email, password: PASSWORD }))).body,
    );

    const rows = await refreshTokenRows(user.id);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({ tokenHash: hashRefreshToken(refresh_token), client: 'bearer', revokedAt: null });
    expect(row?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(refresh_token);
    // 60 days from the login, give or take the time the test itself took.
    const expiresIn = (row?.expiresAt.getTime() ?? 0) - loggedInAt;
    expect(Math.abs(expiresIn - 60 * DAY_MS)).toBeLessThan(60_000);
  });

  it('gives each login its own refresh token', async () => {
    const user = await signUp();
    const first = loginBody.parse((await jsonOf(await postLogin({ email: user.email, password: PASSWORD }))).body);
    const second = loginBody.parse((await jsonOf(await postLogin({ email: user.email, password: PASSWORD }))).body);

    expect(first.refresh_token).not.toBe(second.refresh_token);
    expect(await refreshTokenRows(user.id)).toHaveLength(2);
  });

  it('matches the email whatever its case and surrounding spaces', async () => {
    const user = await signUp('carol@example.com');

    const { status, body } = await jsonOf(await postLogin({ email: '  CAROL@Example.com ', password: PASSWORD }));

    expect(status).toBe(200);
    expect(loginBody.parse(body).id).toBe(user.id);
  });

  it('answers an unknown email and a wrong password with the same 401, after the same bcrypt work', async () => {
    await signUp('dave@example.com');
    const compare = vi.spyOn(bcrypt, 'compare');

    const unknown = await jsonOf(await postLogin({ email: 'nobody@example.com', password: PASSWORD }));
    const unknownCompares = compare.mock.calls.length;
    const wrong = await jsonOf(await postLogin({ email: 'dave@example.com', password: 'not the password' }));

    const expected = { status: 401, body: { error: 'Incorrect email or password', code: 'incorrect_credentials' } };
    expect(unknown).toStrictEqual(expected);
    expect(wrong).toStrictEqual(expected);
    expect(unknownCompares).toBe(1);
    expect(compare).toHaveBeenCalledTimes(2);
    expect((await rowCounts()).refreshTokens).toBe(0);
  });

  it('answers a short password with the same 401 (the length rule is for new passwords, not a login check)', async () => {
    const user = await signUp();

    expect(await expectError(await postLogin({ email: user.email, password: 'short' }), 401)).toBe(
      'Incorrect email or password',
    );
  });

  it('refuses a password over 72 bytes with 400 instead of comparing its first 72 bytes', async () => {
    const password = 'p'.repeat(72);
    const user = await signUp(undefined, password);

    expect(await expectError(await postLogin({ email: user.email, password: `${password}extra` }), 400)).toMatch(
      /72 bytes/,
    );
    expect((await rowCounts()).refreshTokens).toBe(0);
  });

  it.each([
    ['email missing', { password: PASSWORD }],
    ['password missing', { email: 'a@example.com' }],
    ['password empty', { email: 'a@example.com', password: '' }],
    ['email not a string', { email: ['a@example.com'], password: PASSWORD }],
    ['password not a string', { email: 'a@example.com', password: { value: PASSWORD } }],
    ['email invalid', { email: 'a@', password: PASSWORD }],
  ])('answers 400 when the %s and issues no token', async (_label, json) => {
    await signUp('a@example.com');

    await expectError(await postLogin(json), 400);
    expect((await rowCounts()).refreshTokens).toBe(0);
  });

  it.each(CROSS_SITE_BODY_TYPES)(
    'answers 415 to a form on another site asking for the browser session (login CSRF) as %s',
    async (type) => {
      const user = await signUp();
      const json = { email: user.email, password: PASSWORD };
      const headers = { 'x-chirpy-session': 'cookie' };

      const response = await POST(crossSiteBodyRequest('POST', '/api/login', json, type, { headers }));

      expect(response.headers.getSetCookie()).toEqual([]);
      expect(await expectError(response, 415)).toBe(MESSAGES.json_required);
      expect((await rowCounts()).refreshTokens).toBe(0);
    },
  );

  it('answers 503 when the database is down, without echoing the password', async () => {
    const password = 'a password that must not be logged';

    await withDatabaseDown(async (logged) => {
      const { status, body } = await jsonOf(await postLogin({ email: 'eve@example.com', password }));
      expect(status).toBe(503);
      expect(body).toStrictEqual({ error: 'Service unavailable: the database is not answering' });
      expect(logged()).not.toContain(password);
    });
  });
});

describeJsonBodyRules({
  route: 'POST /api/login',
  handler: POST,
  arrange: async () => ({ json: { email: (await signUp()).email, password: PASSWORD } }),
  acceptedStatus: 200,
  expectUnchanged: async () => expect((await rowCounts()).refreshTokens).toBe(0),
});
