import { createHmac, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ACCESS_COOKIE,
  type Account,
  type ApiSession,
  apiLogin,
  type BrowserSession,
  browserLogin,
  newCredentials,
  REFRESH_COOKIE,
  signUp,
} from './harness/accounts';
import { cookieHeader, randomAddress, send, serverFor, setCookieValue } from './harness/client';
import { query, sessionIdOf } from './harness/database';
import { reportWhenDone } from './harness/part';

/**
 * Attacks on the tokens and cookies, against the production servers: forged and tampered JWTs,
 * tokens of one kind used as another, tampered and oversized cookies, open redirects through
 * ?next=, and cookie-authenticated writes from other origins. Each attack is paired with the
 * genuine request it imitates, which must succeed, so no refusal can pass by accident.
 */

const jwtSecret = inject('reliabilityJwtSecret');
let attacks = 0;
reportWhenDone('token attacks', () => ({ attacks }));

let alice: Account;
let bob: Account;
let aliceApi: ApiSession;
let bobApi: ApiSession;
let aliceBrowser: BrowserSession;
let aliceSessionId: string;
let bobSessionId: string;

beforeAll(async () => {
  alice = await signUp(serverFor(0), 'alice');
  bob = await signUp(serverFor(1), 'bob');
  aliceApi = await apiLogin(serverFor(0), alice);
  bobApi = await apiLogin(serverFor(1), bob);
  aliceBrowser = await browserLogin(serverFor(1), alice);
  aliceSessionId = await sessionIdOf(aliceApi.refreshToken);
  bobSessionId = await sessionIdOf(bobApi.refreshToken);
});

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

type Claims = Record<string, unknown>;

function claimsFor(userId: string, sessionId: string, overrides: Claims = {}): Claims {
  return {
    iss: 'chirpy-access',
    sub: userId,
    sid: sessionId,
    iat: now(),
    exp: now() + 3600,
    jti: randomUUID(),
    ...overrides,
  };
}

/** A JWT made by hand, with any header, signed as asked: what an attacker can send. */
function forge(
  header: Claims,
  claims: Claims,
  signer: 'none' | 'HS256' | 'HS512' | 'RS256' | 'HS256 as RS256',
  secret = jwtSecret,
): string {
  const input = `${encode(header)}.${encode(claims)}`;
  switch (signer) {
    case 'none':
      return `${input}.`;
    case 'HS256':
    case 'HS256 as RS256':
      return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    case 'HS512':
      return `${input}.${createHmac('sha512', secret).update(input).digest('base64url')}`;
    case 'RS256': {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    }
  }
}

async function meWithBearer(token: string, server = 0) {
  attacks += 1;
  return send(serverFor(server), { path: '/api/me', bearer: token });
}

async function meWithCookie(token: string, server = 1) {
  attacks += 1;
  return send(serverFor(server), { path: '/api/me', cookies: { [ACCESS_COOKIE]: token } });
}

/** A browser's renewal (POST /api/refresh from the app's own origin) with `refresh` as its refresh cookie. */
function refreshWithCookie(refresh: string, server: number) {
  return send(serverFor(server), {
    method: 'POST',
    path: '/api/refresh',
    cookies: { [REFRESH_COOKIE]: refresh },
    sameOrigin: true,
  });
}

/** A browser session signed in just now: its access cookie lives only a few seconds in this suite. */
function freshBrowser(): Promise<BrowserSession> {
  return browserLogin(serverFor(attacks), alice);
}

/** Flips one character in the middle of a base64url part, so the decoded bytes surely change. */
function flip(part: string): string {
  const at = Math.floor(part.length / 2);
  return `${part.slice(0, at)}${part[at] === 'A' ? 'B' : 'A'}${part.slice(at + 1)}`;
}

describe('forged and tampered access tokens', () => {
  it('the genuine article works: a token made by hand exactly like ours is accepted', async () => {
    const token = forge({ alg: 'HS256', typ: 'JWT' }, claimsFor(alice.id, aliceSessionId), 'HS256');
    expect((await meWithBearer(token)).status).toBe(200);
  });

  const header = { alg: 'HS256', typ: 'JWT' };
  const attacksOnBearer: Array<[string, () => string | Promise<string>]> = [
    ['alg none', () => forge({ alg: 'none', typ: 'JWT' }, claimsFor(alice.id, aliceSessionId), 'none')],
    ['alg "None"', () => forge({ alg: 'None', typ: 'JWT' }, claimsFor(alice.id, aliceSessionId), 'none')],
    [
      'HS512 with the right secret',
      () => forge({ alg: 'HS512', typ: 'JWT' }, claimsFor(alice.id, aliceSessionId), 'HS512'),
    ],
    [
      'an RS256 header over an HMAC of the secret (key confusion)',
      () => forge({ alg: 'RS256', typ: 'JWT' }, claimsFor(alice.id, aliceSessionId), 'HS256 as RS256'),
    ],
    [
      'RS256 signed with an RSA key of the attacker',
      () => forge({ alg: 'RS256', typ: 'JWT' }, claimsFor(alice.id, aliceSessionId), 'RS256'),
    ],
    ['a wrong secret', () => forge(header, claimsFor(alice.id, aliceSessionId), 'HS256', 'x'.repeat(64))],
    ['an empty secret', () => forge(header, claimsFor(alice.id, aliceSessionId), 'HS256', '')],
    [
      'expired a minute ago',
      () => forge(header, claimsFor(alice.id, aliceSessionId, { iat: now() - 3660, exp: now() - 60 }), 'HS256'),
    ],
    [
      'issued an hour in the future',
      () => forge(header, claimsFor(alice.id, aliceSessionId, { iat: now() + 3600, exp: now() + 7200 }), 'HS256'),
    ],
    [
      'not valid for an hour yet (nbf)',
      () => forge(header, claimsFor(alice.id, aliceSessionId, { nbf: now() + 3600 }), 'HS256'),
    ],
    ['another issuer', () => forge(header, claimsFor(alice.id, aliceSessionId, { iss: 'chirpy-refresh' }), 'HS256')],
    ['no expiry', () => forge(header, claimsFor(alice.id, aliceSessionId, { exp: undefined }), 'HS256')],
    ['a sub that is not a UUID', () => forge(header, claimsFor('admin', aliceSessionId), 'HS256')],
    ['a sub with SQL in it', () => forge(header, claimsFor("' or 1=1 --", aliceSessionId), 'HS256')],
    ['a sid of another user', () => forge(header, claimsFor(alice.id, bobSessionId), 'HS256')],
    ['a sub of another user with her sid', () => forge(header, claimsFor(bob.id, aliceSessionId), 'HS256')],
    ['a sid that is not a UUID', () => forge(header, claimsFor(alice.id, 'x'), 'HS256')],
    [
      'no sid (naming no session)',
      () => forge(header, claimsFor(alice.id, aliceSessionId, { sid: undefined }), 'HS256'),
    ],
    [
      'older than an access token lives, its exp far ahead',
      () => forge(header, claimsFor(alice.id, aliceSessionId, { iat: now() - 7200, exp: now() + 86400 }), 'HS256'),
    ],
    ['a kid header', () => forge({ ...header, kid: 'chirpy' }, claimsFor(alice.id, aliceSessionId), 'HS256')],
    [
      'a crit header jose knows (b64)',
      () => forge({ ...header, crit: ['b64'], b64: true }, claimsFor(alice.id, aliceSessionId), 'HS256'),
    ],
    [
      'a crit header it does not understand',
      () => forge({ ...header, crit: ['exp2'], exp2: 1 }, claimsFor(alice.id, aliceSessionId), 'HS256'),
    ],
    [
      'a genuine token with its payload swapped for another user’s',
      () => {
        const [head = '', , signature = ''] = aliceApi.token.split('.');
        return `${head}.${encode(claimsFor(bob.id, bobSessionId))}.${signature}`;
      },
    ],
    [
      'a genuine token with one character of its payload changed',
      () => {
        const [head = '', payload = '', signature = ''] = aliceApi.token.split('.');
        return `${head}.${flip(payload)}.${signature}`;
      },
    ],
    [
      'a genuine token with one character of its signature changed',
      () => {
        const [head = '', payload = '', signature = ''] = aliceApi.token.split('.');
        return `${head}.${payload}.${flip(signature)}`;
      },
    ],
    ['a genuine token without its signature', () => aliceApi.token.split('.').slice(0, 2).join('.')],
    ['the refresh token used as an access token', () => aliceApi.refreshToken],
    ['a browser session’s access cookie used as a Bearer token', async () => (await freshBrowser()).access],
  ];

  it.each(attacksOnBearer)('refuses a Bearer token with %s: 401 JSON', async (_label, make) => {
    const reply = await meWithBearer(await make());
    expect(reply.status).toBe(401);
    expect(JSON.parse(reply.body)).toEqual({ error: expect.any(String) });
  });

  // The browser's own cookie token is genuine in the cookie: every other forgery is tried there too.
  const attacksOnCookie = attacksOnBearer.filter(([label]) => !label.includes('access cookie'));

  it.each(attacksOnCookie)(
    'refuses the same in the access cookie (%s): 401, and the page shows nobody signed in',
    async (_label, make) => {
      const token = await make();
      expect((await meWithCookie(token)).status).toBe(401);
      const page = await send(serverFor(0), { path: '/', cookies: { [ACCESS_COOKIE]: token } });
      expect(page.status).toBe(200);
      expect(page.body).not.toContain(alice.email);
      expect(page.body).not.toContain(bob.email);
    },
  );

  it('an API access token in the cookie is refused, and the browser’s cookie token works only as a cookie', async () => {
    const browser = await freshBrowser();
    expect((await meWithCookie(aliceApi.token)).status).toBe(401);
    expect((await meWithBearer(aliceApi.token)).status).toBe(200);
    expect((await meWithCookie(browser.access)).status).toBe(200);
    expect((await meWithBearer(browser.access)).status).toBe(401);
  });

  it('an access token is not a refresh token, and a browser refresh token does not refresh over Bearer', async () => {
    for (const token of [aliceApi.token, aliceBrowser.access, aliceBrowser.refresh]) {
      attacks += 1;
      const reply = await send(serverFor(0), { method: 'POST', path: '/api/refresh', bearer: token });
      expect(reply.status).toBe(401);
    }
    attacks += 1;
    const bearerAsCookie = await refreshWithCookie(aliceApi.refreshToken, 1);
    expect(bearerAsCookie.status).toBe(401);
    expect(
      (await send(serverFor(0), { method: 'POST', path: '/api/refresh', bearer: aliceApi.refreshToken })).status,
    ).toBe(200);
  });
});

describe('tampered and oversized cookies', () => {
  it('a tampered refresh cookie rotates nothing and signs the real session out of nothing', async () => {
    const session = await browserLogin(serverFor(0), alice);
    const tampered = `${session.refresh.slice(0, 63)}${session.refresh.endsWith('0') ? '1' : '0'}`;
    for (const value of [
      tampered,
      session.refresh.toUpperCase(),
      `${session.refresh}00`,
      'x'.repeat(4000),
      '',
      '%00',
    ]) {
      attacks += 1;
      const reply = await refreshWithCookie(value, 1);
      expect(reply.status).toBe(401);
    }
    const genuine = await refreshWithCookie(session.refresh, 0);
    expect(genuine.status).toBe(204);
  });

  it('oversized and overcrowded cookies get a 4xx or are ignored, never a 5xx, and the server lives on', async () => {
    const cases = [
      cookieHeader({ [ACCESS_COOKIE]: 'a'.repeat(8 * 1024) }),
      cookieHeader({ [REFRESH_COOKIE]: 'f'.repeat(12 * 1024) }),
      cookieHeader({ [ACCESS_COOKIE]: 'a'.repeat(40 * 1024) }),
      Array.from({ length: 800 }, (_, index) => `c${index}=${index}`).join('; '),
      `${ACCESS_COOKIE}=${aliceBrowser.access}; ${ACCESS_COOKIE}=junk; ${ACCESS_COOKIE}=`,
    ];
    for (const cookie of cases) {
      for (const path of ['/', '/api/me']) {
        attacks += 1;
        const reply = await send(serverFor(attacks), { path, headers: { cookie } }).catch((error: unknown) => {
          throw new Error(`no answer to an oversized cookie on ${path}: ${String(error)}`);
        });
        expect(reply.status, `${path} with a ${cookie.length}-byte cookie`).toBeLessThan(500);
      }
    }
    expect((await send(serverFor(0), { path: '/api/healthz' })).status).toBe(200);
    expect((await send(serverFor(1), { path: '/api/healthz' })).status).toBe(200);
  });
});

describe('open redirects through ?next= on /login', () => {
  const hostile = [
    '//evil.example',
    '///evil.example',
    '////evil.example/x',
    '/\\evil.example',
    '\\\\evil.example',
    '\\/evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    ' //evil.example',
    'https://evil.example',
    'http:evil.example',
    'https:/evil.example',
    '//evil.example@chirpy.example',
    '/%2F/evil.example',
    '/%5Cevil.example',
    '%2F%2Fevil.example',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '/.//evil.example',
    '/../..//evil.example',
    '//evil.example%2F..',
    '／／evil.example',
  ];

  /** Every way of writing the value into the query: as is (encoded once), encoded twice, raw. */
  function queries(value: string): string[] {
    const raw = [...value].map((char) => (/[!-~]/.test(char) ? char : encodeURIComponent(char))).join('');
    return [encodeURIComponent(value), encodeURIComponent(encodeURIComponent(value)), raw];
  }

  it.each(hostile)('a signed-in visitor is sent to this site only, for next=%j', async (value) => {
    const origin = serverFor(0).url;
    const browser = await freshBrowser();
    for (const next of queries(value)) {
      attacks += 1;
      const reply = await send(serverFor(0), {
        path: `/login?next=${next}`,
        cookies: { [ACCESS_COOKIE]: browser.access },
      });
      expect([303, 307, 308]).toContain(reply.status);
      const location = String(reply.headers.location ?? '');
      expect(new URL(location, origin).origin, `next=${next} led to ${location}`).toBe(origin);
      expect(location).toMatch(/^\/(?![/\\])/);
    }
  });

  it.each(hostile)('a signed-out visitor’s form carries only a path of this site, for next=%j', async (value) => {
    for (const next of queries(value)) {
      attacks += 1;
      const reply = await send(serverFor(1), { path: `/login?next=${next}` });
      expect(reply.status).toBe(200);
      const carried = /name="next" value="([^"]*)"/.exec(reply.body)?.[1]?.replaceAll('&amp;', '&');
      expect(carried, `next=${next}`).toBeDefined();
      expect(carried).toMatch(/^\/(?![/\\])/);
      expect(new URL(carried ?? '', 'http://chirpy.invalid').origin).toBe('http://chirpy.invalid');
    }
  });

  it('an honest next still works: back to where the visitor was', async () => {
    const browser = await freshBrowser();
    const reply = await send(serverFor(0), {
      path: `/login?next=${encodeURIComponent('/users/abc?cursor=x')}`,
      cookies: { [ACCESS_COOKIE]: browser.access },
    });
    expect(reply.headers.location).toBe('/users/abc?cursor=x');
  });
});

describe('cookie-authenticated writes from elsewhere', () => {
  const foreign: Array<[string, Record<string, string>]> = [
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['a foreign Origin that says same-site', { origin: 'https://evil.example', 'sec-fetch-site': 'same-site' }],
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Origin null', { origin: 'null' }],
    ['neither Origin nor Sec-Fetch-Site', {}],
    ['our host on another scheme', { origin: `https://${new URL(serverFor(0).url).host}` }],
  ];

  type Write = {
    label: string;
    method: string;
    path: (sessionId: string) => string;
    json?: unknown;
    headers?: Record<string, string>;
  };
  const writes: Write[] = [
    { label: 'post a chirp', method: 'POST', path: () => '/api/chirps', json: { body: 'forged by another site' } },
    { label: 'end a session', method: 'DELETE', path: (sessionId) => `/api/sessions/${sessionId}` },
    { label: 'end every other session', method: 'POST', path: () => '/api/sessions/revoke-others' },
    { label: 'sign out', method: 'POST', path: () => '/api/revoke' },
    { label: 'rotate the refresh cookie', method: 'POST', path: () => '/api/refresh' },
    { label: 'change the credentials', method: 'PUT', path: () => '/api/users', json: newCredentials('csrf') },
    {
      label: 'post a page form (server action)',
      method: 'POST',
      path: () => '/',
      headers: { 'content-type': 'text/plain' },
    },
    {
      // A static-looking path is still a page (here the author's page): its server actions run there.
      label: 'post a server action to a static-looking page path',
      method: 'POST',
      path: () => '/users/x.png',
      headers: { 'next-action': '0'.repeat(42) },
    },
  ];

  it.each(foreign)('every write with %s is refused with 403, and nothing changes', async (_label, headers) => {
    const victim = await browserLogin(serverFor(0), alice);
    const victimSession = await sessionIdOf(victim.refresh);
    const before = await query<{ chirps: string; live: string; email: string }>(
      `select (select count(*) from chirps where user_id = $1) as chirps,
        (select count(*) from refresh_tokens where user_id = $1 and revoked_at is null) as live,
        (select email from users where id = $1) as email`,
      [alice.id],
    );
    for (const write of writes) {
      attacks += 1;
      const reply = await send(serverFor(attacks), {
        method: write.method,
        path: write.path(victimSession),
        cookies: { [ACCESS_COOKIE]: victim.access, [REFRESH_COOKIE]: victim.refresh },
        headers: { ...write.headers, ...headers },
        json: write.json,
        body: write.json === undefined ? '' : undefined,
      });
      expect(reply.status, `${write.label}`).toBe(403);
    }
    const after = await query(
      `select (select count(*) from chirps where user_id = $1) as chirps,
        (select count(*) from refresh_tokens where user_id = $1 and revoked_at is null) as live,
        (select email from users where id = $1) as email`,
      [alice.id],
    );
    expect(after).toEqual(before);
  });

  it('a login asking for a cookie session from another site is refused (login CSRF)', async () => {
    attacks += 1;
    const reply = await send(serverFor(1), {
      path: '/api/login',
      json: { email: alice.email, password: alice.password },
      headers: { 'x-chirpy-session': 'cookie', origin: 'https://evil.example' },
      ip: randomAddress(),
    });
    expect(reply.status).toBe(403);
    expect(reply.setCookies).toEqual([]);
  });

  it('the same write from our own page succeeds (the refusals are for the origin, nothing else)', async () => {
    const victim = await browserLogin(serverFor(0), alice);
    const reply = await send(serverFor(1), {
      path: '/api/chirps',
      cookies: { [ACCESS_COOKIE]: victim.access },
      json: { body: 'from our own page' },
      sameOrigin: true,
    });
    expect(reply.status).toBe(201);
  });
});

describe('credentials', () => {
  it('a password with NUL in it is not cut at the NUL', async () => {
    const credentials = { email: newCredentials('nul').email, password: 'correct horse\u0000battery staple' };
    const created = await send(serverFor(0), { path: '/api/users', json: credentials, ip: randomAddress() });
    expect([201, 400]).toContain(created.status);
    if (created.status !== 201) return;
    const forged = await send(serverFor(1), {
      path: '/api/login',
      json: { email: credentials.email, password: 'correct horse\u0000anything else' },
      ip: randomAddress(),
    });
    expect(forged.status).toBe(401);
    const prefix = await send(serverFor(1), {
      path: '/api/login',
      json: { email: credentials.email, password: 'correct horse' },
      ip: randomAddress(),
    });
    expect(prefix.status).toBe(401);
    const genuine = await send(serverFor(0), { path: '/api/login', json: credentials, ip: randomAddress() });
    expect(genuine.status).toBe(200);
    expect(setCookieValue(genuine, ACCESS_COOKIE)).toBeUndefined();
  });
});
