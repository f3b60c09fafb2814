import { afterEach, describe, expect, it, vi } from 'vitest';
import { POST as postChirp } from '@/app/api/chirps/route';
import { GET as me } from '@/app/api/me/route';
import { POST as refresh } from '@/app/api/refresh/route';
import { POST as revoke } from '@/app/api/revoke/route';
import { DELETE as endSession } from '@/app/api/sessions/[sessionID]/route';
import { browserSession, rowCounts } from '@/test/fixtures';
import { jsonOf, makeRequest, params } from '@/test/http';
import { accessTokenClaims, SAME_ORIGIN, tokenRow } from '@/test/session-helpers';
import { breaksCsrfRule, isPagePath, mustComeFromOurPages } from './csrf';

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

/**
 * The rule itself, as every caller asks it (the proxy, the handlers, /api/refresh and /api/revoke):
 * which requests must come from our own pages, and whether this one did.
 */
describe('mustComeFromOurPages', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  const COOKIE = { chirpy_refresh: 'r' };
  const ask = (method: string, path: string, options: Parameters<typeof makeRequest>[2] = {}) =>
    mustComeFromOurPages(makeRequest(method, path, options));

  it('asks nothing of reads, anywhere, cookies or not', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      expect(ask(method, '/account', { cookies: COOKIE })).toBe(false);
      expect(ask(method, '/api/me', { cookies: COOKIE })).toBe(false);
    }
  });

  it('holds every write to a page, with no cookie and even with a Bearer token', () => {
    expect(ask('POST', '/login')).toBe(true);
    expect(ask('POST', '/', { bearer: 'token' })).toBe(true);
    expect(ask('PUT', '/users/x.png')).toBe(true);
  });

  it('holds API writes that carry a session cookie, either one, under its https name too', () => {
    expect(ask('POST', '/api/chirps', { cookies: { chirpy_access: 'a' } })).toBe(true);
    expect(ask('DELETE', '/api/sessions/x', { cookies: COOKIE })).toBe(true);
    expect(ask('POST', '/admin/reset', { cookies: COOKIE })).toBe(true);
    vi.stubEnv('TRUST_PROXY', '1');
    const https = { 'x-forwarded-proto': 'https' };
    expect(ask('POST', '/api/chirps', { cookies: { '__Host-chirpy_refresh': 'r' }, headers: https })).toBe(true);
  });

  it('holds a JSON login that asks for a cookie session', () => {
    expect(ask('POST', '/api/login', { headers: { 'x-chirpy-session': 'cookie' } })).toBe(true);
  });

  it('exempts Bearer API calls, cookies or not, but not a malformed Authorization header', () => {
    expect(ask('POST', '/api/chirps', { bearer: 'token', cookies: COOKIE })).toBe(false);
    expect(ask('POST', '/api/chirps', { cookies: COOKIE, headers: { authorization: 'Bearer' } })).toBe(true);
    expect(ask('POST', '/api/chirps', { cookies: COOKIE, headers: { authorization: 'Basic dXNlcg==' } })).toBe(true);
  });

  it('exempts cookieless API calls (webhooks, API clients), whatever they send', () => {
    expect(ask('POST', '/api/polka/webhooks', { json: {} })).toBe(false);
    expect(ask('POST', '/api/login', { form: { email: 'a@example.com' } })).toBe(false);
    expect(ask('POST', '/api/users', { cookies: { theme: 'dark' } })).toBe(false);
  });

  it.each([
    ['/', true],
    ['/account', true],
    ['/api/me', false],
    ['/admin/reset', false],
  ])('tells pages from route handlers: %s is a page, %s', (path, page) => {
    expect(isPagePath(path)).toBe(page);
  });
});

describe('breaksCsrfRule', () => {
  const post = (path: string, headers: Record<string, string>) =>
    makeRequest('POST', path, { cookies: { chirpy_refresh: 'r' }, headers });

  it('a held request from our own pages keeps the rule', () => {
    expect(breaksCsrfRule(post('/api/chirps', SAME_ORIGIN))).toBe(false);
    expect(breaksCsrfRule(post('/api/chirps', { ...NEITHER, 'sec-fetch-site': 'same-origin' }))).toBe(false);
  });

  it('a held request from anywhere else, or from nowhere it says, breaks it', () => {
    expect(breaksCsrfRule(post('/api/chirps', FOREIGN))).toBe(true);
    expect(breaksCsrfRule(post('/api/chirps', NEITHER))).toBe(true);
    expect(breaksCsrfRule(post('/api/chirps', { ...NEITHER, origin: 'not a url' }))).toBe(true);
    expect(breaksCsrfRule(post('/', { ...SAME_ORIGIN, 'sec-fetch-site': 'cross-site' }))).toBe(true);
  });

  it('a request the rule does not hold cannot break it', () => {
    expect(breaksCsrfRule(makeRequest('POST', '/api/chirps', { bearer: 'token', headers: FOREIGN }))).toBe(false);
    expect(breaksCsrfRule(makeRequest('GET', '/account', { headers: FOREIGN }))).toBe(false);
  });
});
