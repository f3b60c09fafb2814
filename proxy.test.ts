import { unstable_doesMiddlewareMatch } from 'next/experimental/testing/server';
import { NextRequest } from 'next/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { POST as polkaWebhook } from '@/app/api/polka/webhooks/route';
import { CROSS_SITE_REFUSED } from '@/lib/auth/csrf';
import { safeNextPath } from '@/lib/auth/redirects';
import { revokeSession } from '@/lib/auth/sessions';
import { hashRefreshToken, verifyAccessToken } from '@/lib/auth/tokens';
import { MESSAGES } from '@/lib/messages';
import { config, proxy } from '@/proxy';
import { apiSession, type BrowserSession, browserSession, withDatabaseDown } from '@/test/fixtures';
import { jsonOf, makeRequest, setCookies } from '@/test/http';
import {
  cookieSet,
  countDatabaseUse,
  DAY_SECONDS,
  expiredCookies,
  forwardedCookies,
  isCleared,
  liveRows,
  passedThrough,
  retireSecondsAgo,
  SAME_ORIGIN,
  sessionIdOf,
  sessionRows,
  setSessionTime,
  tokenRow,
  warmConnections,
} from '@/test/session-helpers';

const ACCESS = 'chirpy_access';
const REFRESH = 'chirpy_refresh';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function get(path: string, cookies?: Record<string, string>) {
  return makeRequest('GET', path, { cookies });
}

describe('a valid access cookie', () => {
  it('passes the request through untouched, with no Set-Cookie and no database work', async () => {
    const session = await browserSession();

    const { result: response, uses } = await countDatabaseUse(() =>
      proxy(get('/', { [ACCESS]: session.access, [REFRESH]: session.refresh })),
    );

    expect(passedThrough(response)).toBe(true);
    expect(response.headers.getSetCookie()).toEqual([]);
    // A page's request goes on with its headers rewritten (the policy's nonce), cookies as they came.
    expect(forwardedCookies(response)).toEqual(
      new Map([
        [ACCESS, session.access],
        [REFRESH, session.refresh],
      ]),
    );
    expect(uses).toBe(0);
    expect(liveRows(await sessionRows(sessionIdOf(session))).map((row) => row.tokenHash)).toEqual([
      hashRefreshToken(session.refresh),
    ]);
  });

  it('renewing does use the database: the count above would see any query', async () => {
    const session = await browserSession();
    const { uses } = await countDatabaseUse(() => proxy(get('/', { [REFRESH]: session.refresh })));
    expect(uses).toBeGreaterThan(0);
  });

  it('leaves visitors without session cookies alone', async () => {
    const { result: response, uses } = await countDatabaseUse(() => proxy(get('/', { theme: 'dark' })));
    expect(passedThrough(response)).toBe(true);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(uses).toBe(0);
  });
});

describe('renewing from the refresh cookie', () => {
  it.each([
    ['missing', async (session: BrowserSession) => ({ [REFRESH]: session.refresh })],
    ['expired', expiredCookies],
    ['garbled', async (session: BrowserSession) => ({ [ACCESS]: 'not-a-jwt', [REFRESH]: session.refresh })],
  ])(
    'an access cookie that is %s is renewed: new cookies for the browser and for this same request',
    async (_, cookiesOf) => {
      const session = await browserSession();
      const sessionId = sessionIdOf(session);

      const response = await proxy(get('/chirps', await cookiesOf(session)));

      expect(passedThrough(response)).toBe(true);
      const access = cookieSet(response, ACCESS);
      const refresh = cookieSet(response, REFRESH);
      expect(await verifyAccessToken(access.value, 'browser')).toMatchObject({ ok: true, sessionId });
      expect(refresh.value).not.toBe(session.refresh);
      expect(await tokenRow(session.refresh)).toMatchObject({
        revokedReason: 'rotated',
        replacedBy: hashRefreshToken(refresh.value),
      });
      expect(await tokenRow(refresh.value)).toMatchObject({ sessionId, revokedAt: null });
      // The page or handler of this request sees the new tokens, not the stale ones.
      const forwarded = forwardedCookies(response);
      expect(forwarded?.get(ACCESS)).toBe(access.value);
      expect(forwarded?.get(REFRESH)).toBe(refresh.value);
      expect(response.headers.get('cache-control')).toBe('private, no-store');
    },
  );

  it('keeps other cookies of the request when forwarding the new ones', async () => {
    const session = await browserSession();
    const response = await proxy(get('/', { theme: 'dark', [REFRESH]: session.refresh }));
    expect(forwardedCookies(response)?.get('theme')).toBe('dark');
  });

  it('a second request with the same refresh cookie inside the grace window gets an access cookie and keeps the one successor', async () => {
    const session = await browserSession();
    const sessionId = sessionIdOf(session);
    const first = await proxy(get('/', { [REFRESH]: session.refresh }));
    const successor = cookieSet(first, REFRESH).value;

    const second = await proxy(get('/chirps', { [REFRESH]: session.refresh }));

    expect(passedThrough(second)).toBe(true);
    const cookies = setCookies(second);
    expect([...cookies.keys()]).toEqual([ACCESS]);
    expect(await verifyAccessToken(cookieSet(second, ACCESS).value, 'browser')).toMatchObject({ ok: true, sessionId });
    expect(forwardedCookies(second)?.get(ACCESS)).toBe(cookieSet(second, ACCESS).value);
    expect(liveRows(await sessionRows(sessionId)).map((row) => row.tokenHash)).toEqual([hashRefreshToken(successor)]);
  });

  it('10 parallel requests right after expiry all go through, and exactly one of them renews the refresh cookie', async () => {
    const session = await browserSession();
    const sessionId = sessionIdOf(session);
    const cookies = await expiredCookies(session);
    await warmConnections(10);

    const responses = await Promise.all(Array.from({ length: 10 }, () => proxy(get('/', cookies))));

    expect(responses.every(passedThrough)).toBe(true);
    for (const response of responses) {
      expect(await verifyAccessToken(cookieSet(response, ACCESS).value, 'browser')).toMatchObject({
        ok: true,
        sessionId,
      });
    }
    const renewed = responses.flatMap((response) => {
      const refresh = setCookies(response).get(REFRESH);
      return refresh ? [refresh] : [];
    });
    expect(renewed).toHaveLength(1);
    expect(renewed[0]?.attributes.get('max-age')).not.toBe('0');
    const rows = await sessionRows(sessionId);
    expect(rows).toHaveLength(2);
    expect(liveRows(rows).map((row) => row.tokenHash)).toEqual([hashRefreshToken(renewed[0]?.value ?? '')]);
  });

  it('a page and its prefetch presenting a cookie whose successor was lost both render signed in, on one new cookie', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const session = await browserSession();
    const sessionId = sessionIdOf(session);
    // The answer carrying the successor never reached the browser; the grace window has passed.
    await proxy(get('/', { [REFRESH]: session.refresh }));
    await retireSecondsAgo(session.refresh, 31);
    await warmConnections(2);

    const [page, prefetch] = await Promise.all([
      proxy(get('/account', { [REFRESH]: session.refresh })),
      proxy(get('/chirps', { [REFRESH]: session.refresh })),
    ]);

    for (const response of [page, prefetch]) {
      expect(passedThrough(response)).toBe(true);
      expect(isCleared(setCookies(response).get(REFRESH))).toBe(false);
      expect(await verifyAccessToken(cookieSet(response, ACCESS).value, 'browser')).toMatchObject({
        ok: true,
        sessionId,
      });
    }
    const renewed = [page, prefetch].flatMap((response) => setCookies(response).get(REFRESH) ?? []);
    expect(renewed).toHaveLength(1);
    expect(liveRows(await sessionRows(sessionId)).map((row) => row.tokenHash)).toEqual([
      hashRefreshToken(renewed[0]?.value ?? ''),
    ]);
  });

  it('does not renew on the session endpoints, which set the cookies themselves', async () => {
    const session = await browserSession();
    for (const path of ['/api/login', '/api/refresh', '/api/revoke']) {
      const response = await proxy(
        makeRequest('POST', path, { cookies: { [REFRESH]: session.refresh }, headers: SAME_ORIGIN }),
      );
      expect(passedThrough(response)).toBe(true);
      expect(response.headers.getSetCookie()).toEqual([]);
    }
    expect((await tokenRow(session.refresh)).revokedAt).toBeNull();
  });

  it('uses the __Host- cookies over https (said by a trusted proxy)', async () => {
    vi.stubEnv('TRUST_PROXY', '1');
    const session = await browserSession();
    const response = await proxy(
      makeRequest('GET', '/', {
        cookies: { [`__Host-${REFRESH}`]: session.refresh },
        headers: { 'x-forwarded-proto': 'https' },
      }),
    );
    const access = cookieSet(response, `__Host-${ACCESS}`);
    expect(access.attributes.get('secure')).toBe(true);
    expect(cookieSet(response, `__Host-${REFRESH}`).attributes.get('secure')).toBe(true);
    expect(forwardedCookies(response)?.get(`__Host-${ACCESS}`)).toBe(access.value);
  });

  it('signs nobody out when the database is down: a page gets a 503 error page, cookies untouched', async () => {
    const session = await browserSession();

    await withDatabaseDown(async (logged) => {
      const response = await proxy(get('/', { [REFRESH]: session.refresh }));

      expect(response.status).toBe(503);
      expect(passedThrough(response)).toBe(false);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(await response.text()).toContain('still signed in');
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(logged()).toContain('proxy: session renewal: database unavailable (ECONNREFUSED)');
      expect(logged()).not.toContain(session.refresh);
    });
    expect((await tokenRow(session.refresh)).revokedAt).toBeNull();
  });

  it('over the rotation limit: a 429 page with Retry-After, cookies kept, nobody signed out', async () => {
    vi.stubEnv('RATE_LIMIT_ROTATION_MAX', '1');
    const session = await browserSession();
    const first = await proxy(get('/', { [REFRESH]: session.refresh }));
    expect(passedThrough(first)).toBe(true);
    const successor = setCookies(first).get(REFRESH)?.value;
    if (!successor) throw new Error('the first renewal set no refresh cookie');

    const page = await proxy(get('/', { [REFRESH]: successor }));
    expect(page.status).toBe(429);
    expect(page.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(page.headers.get('location')).toBeNull();
    expect(page.headers.getSetCookie()).toEqual([]);
    expect((await tokenRow(successor)).revokedAt).toBeNull();
  });

  it('leaves API calls to their handlers: passed on untouched, nothing renewed (lib/auth/api-renewal.test.ts)', async () => {
    const session = await browserSession();
    for (const request of [
      get('/api/me', { [REFRESH]: session.refresh }),
      makeRequest('POST', '/api/chirps', { cookies: { [REFRESH]: session.refresh }, headers: SAME_ORIGIN }),
    ]) {
      const response = await proxy(request);
      expect(passedThrough(response)).toBe(true);
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(forwardedCookies(response)).toBeNull();
    }
    expect((await tokenRow(session.refresh)).revokedAt).toBeNull();
  });
});

describe('a failed renewal', () => {
  async function signedOutSession(): Promise<BrowserSession> {
    const session = await browserSession();
    await setSessionTime(sessionIdOf(session), 'expiresAt', 1);
    return session;
  }

  /** A public page (the timeline) simply renders signed out: cookies cleared, no redirect. */
  function expectSignedOutOnPublicPage(response: Response) {
    expect(passedThrough(response)).toBe(true);
    expect(response.headers.get('location')).toBeNull();
    expect(isCleared(setCookies(response).get(REFRESH))).toBe(true);
  }

  it('on a private page: both cookies are cleared and the browser goes to /login?next=<the page>', async () => {
    const session = await signedOutSession();

    const response = await proxy(get('/account?tab=sessions', { [REFRESH]: session.refresh }));

    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe('http://localhost:3000/login?next=%2Faccount%3Ftab%3Dsessions');
    expect(isCleared(setCookies(response).get(ACCESS))).toBe(true);
    expect(isCleared(setCookies(response).get(REFRESH))).toBe(true);
    // A response that changes session cookies is never for a shared cache.
    expect(response.headers.get('cache-control')).toBe('private, no-store');
  });

  it('with an expired access cookie and a revoked refresh cookie: the same', async () => {
    const session = await browserSession();
    const cookies = await expiredCookies(session);
    await revokeSession(session.refresh, { ip: null, userAgent: null });

    const response = await proxy(get('/', cookies));

    expectSignedOutOnPublicPage(response);
    expect(isCleared(setCookies(response).get(ACCESS))).toBe(true);
  });

  it('with an access cookie that is no longer valid and no refresh cookie: the same', async () => {
    const session = await browserSession();
    const cookies = await expiredCookies(session);

    const response = await proxy(get('/account', { [ACCESS]: cookies[ACCESS] ?? '' }));

    expect(response.headers.get('location')).toBe('http://localhost:3000/login?next=%2Faccount');
    expect(isCleared(setCookies(response).get(ACCESS))).toBe(true);
  });

  it('after the idle timeout: the same', async () => {
    const session = await browserSession();
    await setSessionTime(sessionIdOf(session), 'lastUsedAt', 8 * DAY_SECONDS);

    const response = await proxy(get('/', { [REFRESH]: session.refresh }));

    expectSignedOutOnPublicPage(response);
  });

  it('after reuse of a retired refresh cookie: the whole session ends and that browser is signed out', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const session = await browserSession();
    const renewed = await proxy(get('/', { [REFRESH]: session.refresh }));
    // The owner's browser renews again with its successor, so the old cookie can only be a copy.
    const later = await proxy(get('/', { [REFRESH]: cookieSet(renewed, REFRESH).value }));
    const successor = cookieSet(later, REFRESH).value;
    await retireSecondsAgo(session.refresh, 31);

    const replay = await proxy(get('/', { [REFRESH]: session.refresh }));
    expectSignedOutOnPublicPage(replay);

    // The holder of the successor is signed out too once their access cookie runs out.
    const owner = await proxy(get('/account', { [REFRESH]: successor }));
    expect(owner.headers.get('location')).toBe('http://localhost:3000/login?next=%2Faccount');
    expect(liveRows(await sessionRows(sessionIdOf(session)))).toEqual([]);
  });

  it('on the sign-in and sign-up pages: no redirect loop, the page renders signed out', async () => {
    const session = await signedOutSession();
    for (const path of ['/login', '/signup']) {
      const response = await proxy(get(path, { [REFRESH]: session.refresh }));
      expect(passedThrough(response)).toBe(true);
      expect(isCleared(setCookies(response).get(REFRESH))).toBe(true);
    }
  });

  it.each([
    ['/account//evil.example/x', '/account//evil.example/x'],
    ['/account/\\evil.example/x', '/account//evil.example/x'],
    ['/account/%2F%2Fevil.example/x', '/account/%2F%2Fevil.example/x'],
  ])('never turns the private page %s into an off-site next', async (path, next) => {
    const session = await signedOutSession();
    // Built by hand: a URL parser would read `//evil.example` as a host, but a server hands it over as a path.
    const request = new NextRequest(`http://localhost:3000${path}`, {
      headers: { cookie: `${REFRESH}=${session.refresh}` },
    });

    const response = await proxy(request);

    const location = new URL(response.headers.get('location') ?? '');
    expect(location.origin).toBe('http://localhost:3000');
    expect(location.pathname).toBe('/login');
    expect(location.searchParams.get('next')).toBe(next);
  });
});

describe('safeNextPath: only a same-site relative path is honoured', () => {
  it.each([
    ['/chirps', '/chirps'],
    ['/chirps?author=me#top', '/chirps?author=me#top'],
    ['/', '/'],
    ['/a/../b', '/b'],
  ])('keeps %s', (candidate, expected) => {
    expect(safeNextPath(candidate)).toBe(expected);
  });

  it.each([
    '//evil.com',
    '//evil.com/path',
    '/\\evil.com',
    '/\\/evil.com',
    'https://evil.com',
    'http://localhost:3000/chirps',
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    'chirps',
    '/\tevil',
    '/\u0000x',
    '/\nLocation: https://evil.com',
    '/\u007f',
    '',
    null,
    undefined,
  ])('refuses %j', (candidate) => {
    expect(safeNextPath(candidate)).toBe('/');
  });

  it('falls back to the given default', () => {
    expect(safeNextPath('//evil.com', '/login')).toBe('/login');
  });
});

describe('CSRF: cookie-authenticated writes must come from our own origin', () => {
  function post(path: string, session: BrowserSession, headers: Record<string, string>) {
    return makeRequest('POST', path, {
      json: { body: 'hello' },
      cookies: { [ACCESS]: session.access, [REFRESH]: session.refresh },
      headers,
    });
  }

  async function expectRefused(response: Response) {
    expect(await jsonOf(response)).toEqual({ status: 403, body: { error: expect.any(String) } });
  }

  it.each([
    ['no Origin and no Sec-Fetch-Site', { host: 'localhost:3000' }],
    ['a foreign Origin', { host: 'localhost:3000', origin: 'https://evil.example' }],
    ['Origin: null', { host: 'localhost:3000', origin: 'null' }],
    ['our host over the other scheme', { host: 'localhost:3000', origin: 'https://localhost:3000' }],
    ['Sec-Fetch-Site: cross-site', { host: 'localhost:3000', 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', { host: 'localhost:3000', 'sec-fetch-site': 'same-site' }],
    ['Sec-Fetch-Site: cross-site even with our Origin', { ...SAME_ORIGIN, 'sec-fetch-site': 'cross-site' }],
    // Found by the reliability fuzzer: on a page, Next's server actions answered such an Origin with a 500.
    [
      'an Origin that is no URL, even with Sec-Fetch-Site: same-origin',
      { origin: 'à', 'sec-fetch-site': 'same-origin' },
    ],
  ])('refuses a POST with %s: 403', async (_, headers) => {
    const session = await browserSession();
    await expectRefused(await proxy(post('/api/chirps', session, headers)));
  });

  it('refuses the other unsafe methods too', async () => {
    const session = await browserSession();
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const request = makeRequest(method, '/api/chirps/00000000-0000-4000-8000-000000000000', {
        cookies: { [ACCESS]: session.access },
        headers: { host: 'localhost:3000', origin: 'https://evil.example' },
      });
      await expectRefused(await proxy(request));
    }
  });

  it('refuses it with only the refresh cookie, before anything is rotated', async () => {
    const session = await browserSession();
    const request = makeRequest('POST', '/api/chirps', {
      json: { body: 'hello' },
      cookies: { [REFRESH]: session.refresh },
      headers: { origin: 'https://evil.example' },
    });
    await expectRefused(await proxy(request));
    expect((await tokenRow(session.refresh)).revokedAt).toBeNull();
  });

  it.each([
    ['our Origin', SAME_ORIGIN],
    ['Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin' }],
  ])('allows a POST with %s', async (_, headers) => {
    const session = await browserSession();
    const response = await proxy(post('/api/chirps', session, headers));
    expect(passedThrough(response)).toBe(true);
    expect(response.status).toBe(200);
  });

  it('allows a POST with our public Origin behind a trusted proxy (TRUST_PROXY)', async () => {
    vi.stubEnv('TRUST_PROXY', '1');
    const session = await browserSession();
    const headers = { host: 'internal:8080', 'x-forwarded-host': 'chirpy.example', origin: 'http://chirpy.example' };
    const response = await proxy(post('/api/chirps', session, headers));
    expect(passedThrough(response)).toBe(true);
  });

  it("does not believe a client's own X-Forwarded-Host when no proxy is trusted", async () => {
    vi.stubEnv('TRUST_PROXY', 'none');
    const session = await browserSession();
    const forged = { origin: 'http://evil.example', 'x-forwarded-host': 'evil.example' };
    await expectRefused(await proxy(post('/api/chirps', session, forged)));
    const signOut = makeRequest('POST', '/api/revoke', {
      cookies: { [REFRESH]: session.refresh },
      headers: forged,
    });
    await expectRefused(await proxy(signOut));
    expect((await tokenRow(session.refresh)).revokedAt).toBeNull();
  });

  it('allows https behind a trusted proxy when the Origin matches the forwarded scheme and host', async () => {
    vi.stubEnv('TRUST_PROXY', '1');
    const session = await browserSession();
    const request = makeRequest('POST', '/api/chirps', {
      json: { body: 'hello' },
      cookies: { [`__Host-${ACCESS}`]: session.access },
      headers: {
        host: 'internal:8080',
        'x-forwarded-host': 'chirpy.example',
        'x-forwarded-proto': 'https',
        origin: 'https://chirpy.example',
      },
    });
    expect(passedThrough(await proxy(request))).toBe(true);
  });

  it('leaves a cookieless webhook with a non-JSON body to its route: 415 from the route, not 403', async () => {
    const request = () =>
      makeRequest('POST', '/api/polka/webhooks', {
        body: 'event=user.upgraded',
        headers: { authorization: 'ApiKey test-polka-key', 'content-type': 'text/plain' },
      });
    expect(passedThrough(await proxy(request()))).toBe(true);
    const answered = await jsonOf(await polkaWebhook(request()));
    expect(answered).toEqual({ status: 415, body: { error: MESSAGES.json_required, code: 'json_required' } });
  });

  it('does not apply to Bearer-authenticated requests, cookies or not', async () => {
    const api = await apiSession();
    const session = await browserSession();
    const withCookies = makeRequest('POST', '/api/chirps', {
      json: { body: 'hello' },
      bearer: api.token,
      cookies: { [ACCESS]: session.access },
      headers: { origin: 'https://elsewhere.example' },
    });
    expect(passedThrough(await proxy(withCookies))).toBe(true);
    const plain = makeRequest('POST', '/api/chirps', { json: { body: 'hello' }, bearer: api.token });
    expect(passedThrough(await proxy(plain))).toBe(true);
  });

  it('does not apply to GET or HEAD', async () => {
    const session = await browserSession();
    for (const method of ['GET', 'HEAD']) {
      const request = makeRequest(method, '/api/chirps', {
        cookies: { [ACCESS]: session.access },
        headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      });
      expect(passedThrough(await proxy(request))).toBe(true);
    }
  });

  it('refuses a sign-in form posted from a foreign site (login CSRF), with no cookies at all', async () => {
    // The sign-in and sign-up pages take their Server Actions' form posts.
    const form = { email: 'victim@example.com', password: 'whatever1' };
    for (const path of ['/login', '/signup', '/']) {
      const request = makeRequest('POST', path, {
        form,
        headers: { host: 'localhost:3000', origin: 'https://evil.example' },
      });
      await expectRefused(await proxy(request));
    }
    const noOrigin = makeRequest('POST', '/login', { form, headers: { host: 'localhost:3000' } });
    await expectRefused(await proxy(noOrigin));
    const ours = makeRequest('POST', '/login', { form, headers: SAME_ORIGIN });
    expect(passedThrough(await proxy(ours))).toBe(true);
  });

  it('refuses a cross-site script asking for a cookie session', async () => {
    const request = makeRequest('POST', '/api/login', {
      json: { email: 'victim@example.com', password: 'whatever1' },
      headers: { 'x-chirpy-session': 'cookie', 'sec-fetch-site': 'cross-site' },
    });
    await expectRefused(await proxy(request));
  });

  it('lets our own sign-in form through, and API clients of the bearer contract from anywhere', async () => {
    const form = makeRequest('POST', '/api/login', {
      form: { email: 'someone@example.com', password: 'whatever1' },
      headers: SAME_ORIGIN,
    });
    expect(passedThrough(await proxy(form))).toBe(true);
    const json = makeRequest('POST', '/api/login', {
      json: { email: 'someone@example.com', password: 'whatever1' },
    });
    expect(passedThrough(await proxy(json))).toBe(true);
  });
});

describe('requests Next cannot take apart', () => {
  it('refuses an undecodable path and a server action off the pages with a JSON 400, before Next’s 500', async () => {
    const path = await proxy(makeRequest('GET', '/api/chirps/%zz'));
    expect(await jsonOf(path)).toEqual({
      status: 400,
      body: { error: expect.stringContaining('percent-encoded'), code: 'malformed_path' },
    });
    const action = await proxy(
      makeRequest('POST', '/api/polka/webhooks', {
        headers: { 'next-action': '0'.repeat(42), origin: 'https://evil.example' },
      }),
    );
    expect(await jsonOf(action)).toEqual({
      status: 400,
      body: { error: expect.stringContaining('pages only'), code: 'action_off_page' },
    });
  });

  it('refuses a cross-site server action posted to a static-looking page path exactly as at the page itself', async () => {
    const headers = { host: 'localhost:3000', origin: 'https://evil.example', 'next-action': '0'.repeat(42) };
    const answers = [];
    for (const path of ['/users/x', '/users/x.png']) {
      // The proxy must run for it at all (the matcher), and then answer it (the function).
      expect(unstable_doesMiddlewareMatch({ config, url: path, headers }), path).toBe(true);
      answers.push(await jsonOf(await proxy(makeRequest('POST', path, { body: '[]', headers }))));
    }
    expect(answers).toEqual([
      { status: 403, body: { error: CROSS_SITE_REFUSED } },
      { status: 403, body: { error: CROSS_SITE_REFUSED } },
    ]);
  });

  it.each(['GET', 'HEAD'])(
    'leaves a %s of a static-looking path alone, even with an Origin and a session cookie: no policy, no renewal',
    async (method) => {
      const request = makeRequest(method, '/fonts/inter.woff2', {
        cookies: { [REFRESH]: 'f'.repeat(64) },
        headers: { origin: 'http://localhost:3000' },
      });
      const { result: response, uses } = await countDatabaseUse(() => proxy(request));
      expect(passedThrough(response)).toBe(true);
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(response.headers.get('content-security-policy')).toBeNull();
      expect(uses).toBe(0);
    },
  );

  it('a Bearer header does not exempt a page write from the CSRF rule: pages never take one', async () => {
    const response = await proxy(
      makeRequest('POST', '/login', { bearer: 'anything', headers: { origin: 'https://evil.example' } }),
    );
    expect(response.status).toBe(403);
  });
});

describe('the pages’ content security policy', () => {
  const nonceOf = (policy: string | null) => /'nonce-([^']+)'/.exec(policy ?? '')?.[1];

  it('puts a fresh nonce in each page request and its response, and no unsafe-inline script', async () => {
    const first = await proxy(makeRequest('GET', '/'));
    const second = await proxy(makeRequest('GET', '/'));
    expect(passedThrough(first)).toBe(true);
    const policy = first.headers.get('content-security-policy');
    expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'; /);
    expect(policy).not.toContain("'unsafe-inline' ");
    // Next reads the nonce from the request's header: the same policy goes into the request.
    expect(first.headers.get('x-middleware-request-content-security-policy')).toBe(policy);
    expect(nonceOf(second.headers.get('content-security-policy'))).not.toBe(nonceOf(policy));
  });

  it('shapes every answer the proxy gives a page: a redirect to sign in, a signed-out page', async () => {
    const redirected = await proxy(makeRequest('GET', '/account', { cookies: { [REFRESH]: 'f'.repeat(64) } }));
    expect(redirected.status).toBe(307);
    expect(nonceOf(redirected.headers.get('content-security-policy'))).toBeDefined();
    const signedOut = await proxy(makeRequest('GET', '/', { cookies: { [REFRESH]: 'f'.repeat(64) } }));
    expect(nonceOf(signedOut.headers.get('content-security-policy'))).toBeDefined();
  });

  it('sends a page address with a trailing slash to the one without, keeping the query, with its policy', async () => {
    const response = await proxy(makeRequest('GET', '/users/abc/?cursor=x'));
    expect(response.status).toBe(308);
    expect(new URL(response.headers.get('location') ?? '').pathname).toBe('/users/abc');
    expect(new URL(response.headers.get('location') ?? '').search).toBe('?cursor=x');
    expect(nonceOf(response.headers.get('content-security-policy'))).toBeDefined();
    expect(passedThrough(await proxy(makeRequest('GET', '/')))).toBe(true);
  });

  it('leaves a read of /docs/api alone: its route handler sets its own policy, and no nonce one replaces it', async () => {
    for (const method of ['GET', 'HEAD']) {
      const response = await proxy(makeRequest(method, '/docs/api', { cookies: { [REFRESH]: 'f'.repeat(64) } }));
      expect(passedThrough(response)).toBe(true);
      expect(response.headers.get('content-security-policy')).toBeNull();
      expect(response.headers.getSetCookie()).toEqual([]);
    }
    const write = await proxy(makeRequest('POST', '/docs/api', { headers: { origin: 'https://evil.example' } }));
    expect(write.status).toBe(403);
  });

  it('leaves the API alone: its policy is the static one from next.config.mjs', async () => {
    const session = await browserSession();
    const response = await proxy(makeRequest('GET', '/api/me', { cookies: { [ACCESS]: session.access } }));
    expect(passedThrough(response)).toBe(true);
    expect(response.headers.get('content-security-policy')).toBeNull();
  });
});

describe('config.matcher', () => {
  type Probe = { headers?: Record<string, string>; cookies?: Record<string, string> };
  const matches = (url: string, probe: Probe = {}) => unstable_doesMiddlewareMatch({ config, url, ...probe });
  const withSession = { cookies: { [ACCESS]: 'x' } };

  it.each(['/', '/login', '/signup', '/users/123', '/admin/reset'])('runs for every page: %s', (url) => {
    expect(matches(url)).toBe(true);
    expect(matches(url, withSession)).toBe(true);
  });

  it.each(['/api/me', '/api/chirps', '/api/login'])(
    'does not run for %s with session cookies and no Origin: its handler renews and checks the CSRF rule',
    (url) => {
      expect(matches(url, { cookies: { [REFRESH]: 'x' } })).toBe(false);
      expect(matches(url, { cookies: { [`__Host-${REFRESH}`]: 'x' } })).toBe(false);
      expect(matches(url, withSession)).toBe(false);
      expect(matches(url, { cookies: { [ACCESS]: 'x', [REFRESH]: 'x' } })).toBe(false);
      // A browser's write carries an Origin: the proxy holds it to the CSRF rule first.
      expect(matches(url, { cookies: { [REFRESH]: 'x' }, headers: { origin: 'https://evil.example' } })).toBe(true);
    },
  );

  it('runs for a server-action header anywhere, and for any percent-encoded path (Next cannot decode some)', () => {
    expect(matches('/api/polka/webhooks', { headers: { 'next-action': 'x' } })).toBe(true);
    expect(matches('/api/x', { headers: { 'content-type': 'multipart/form-data; boundary=x' } })).toBe(true);
    expect(matches('/api/chirps/%zz')).toBe(true);
    expect(matches('/api/sessions/a%20b')).toBe(true);
  });

  it('runs for a browser write without cookies (it has an Origin), and for a cookie-session login script', () => {
    expect(matches('/login', { headers: { origin: 'https://evil.example' } })).toBe(true);
    expect(matches('/api/login', { headers: { 'x-chirpy-session': 'cookie' } })).toBe(true);
  });

  it.each(['/', '/login', '/signup', '/users/123', '/account', '/no-such-page'])(
    'runs for every page, signed in or not (each gets its nonce): %s',
    (url) => {
      expect(matches(url)).toBe(true);
    },
  );

  it.each(['/api/healthz', '/api/chirps/123', '/api/me'])(
    'does not run for an anonymous API read or a bearer call: %s',
    (url) => {
      expect(matches(url)).toBe(false);
      expect(matches(url, { headers: { authorization: 'Bearer x' }, cookies: { theme: 'dark' } })).toBe(false);
    },
  );

  it.each(['/users/x.png', '/logo.svg', '/favicon.ico', '/robots.txt', '/bench-floor.txt'])(
    'runs for anything at a static-looking path %s that may be a write: an Origin, a server action, a form, a login script',
    (url) => {
      expect(matches(url, { headers: { origin: 'https://evil.example' } })).toBe(true);
      expect(matches(url, { headers: { 'next-action': 'x' } })).toBe(true);
      expect(matches(url, { headers: { 'content-type': 'multipart/form-data; boundary=x' } })).toBe(true);
      expect(matches(url, { headers: { 'x-chirpy-session': 'cookie' } })).toBe(true);
    },
  );

  it('never runs for Next’s own files, whatever the request carries', () => {
    for (const url of ['/_next/static/media/inter.woff2', '/_next/image?url=%2Flogo.png&w=64&q=75']) {
      expect(matches(url, { headers: { origin: 'http://localhost:3000' } })).toBe(false);
    }
  });

  it.each([
    '/_next/static/chunks/app/page-abc123.js',
    '/_next/static/css/app.css',
    '/_next/image?url=%2Flogo.png&w=64&q=75',
    '/favicon.ico',
    '/robots.txt',
    '/logo.svg',
    '/images/hero.png',
    '/fonts/inter.woff2',
    // The benchmark's floor route relies on this (bench/routes/floor.ts).
    '/bench-floor.txt?id=1',
  ])('skips a plain request for %s, session cookie or not', (url) => {
    expect(matches(url, withSession)).toBe(false);
  });
});
