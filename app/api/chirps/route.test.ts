import { eq, sql } from 'drizzle-orm';
import { NextRequest } from 'next/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { revokeSession } from '@/lib/auth/sessions';
import { getDb } from '@/lib/db/client';
import { chirps } from '@/lib/db/schema';
import {
  type ApiSession,
  accessClaims,
  apiSession,
  asPublicChirp,
  browserSession,
  chirp,
  nowSeconds,
  rowCounts,
  signJwt,
  signUp,
  unsignedJwt,
  withDatabaseDown,
} from '@/test/fixtures';
import { expectError, ISO_TIMESTAMP, jsonOf, makeRequest, UUID } from '@/test/http';
import { describeJsonBodyRules } from '@/test/json-body-rules';
import { accessTokenClaims } from '@/test/session-helpers';
import { GET, POST } from './route';

afterEach(() => {
  vi.unstubAllEnvs();
});

function postChirp(token: string, json: unknown) {
  return POST(makeRequest('POST', '/api/chirps', { json, bearer: token }));
}

async function chirpRows() {
  const db = await getDb();
  return db.select().from(chirps);
}

describe('POST /api/chirps', () => {
  it('answers 201 with exactly the chirp fields, matching the stored row', async () => {
    const session = await apiSession();

    const { status, body } = await jsonOf(await postChirp(session.token, { body: 'Hello, Chirpy!' }));

    expect(status).toBe(201);
    expect(body).toStrictEqual({
      id: expect.stringMatching(UUID),
      created_at: expect.stringMatching(ISO_TIMESTAMP),
      updated_at: expect.stringMatching(ISO_TIMESTAMP),
      body: 'Hello, Chirpy!',
      user_id: session.id,
    });
    const created = asPublicChirp(body);
    const rows = await chirpRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: created.id, body: 'Hello, Chirpy!', userId: session.id });
    expect(rows[0]?.createdAt.toISOString()).toBe(created.created_at);
  });

  it('censors kerfuffle, sharbert and fornax in any case, in the answer and in the database', async () => {
    const session = await apiSession();

    const created = await chirp(session.token, 'I had a Kerfuffle with SHARBERT about fornax today');

    expect(created.body).toBe('I had a **** with **** about **** today');
    const [row] = await chirpRows();
    expect(row?.body).toBe('I had a **** with **** about **** today');
  });

  it('leaves profane words with punctuation attached as they are', async () => {
    const session = await apiSession();

    expect((await chirp(session.token, 'Sharbert! what a kerfuffle, fornax.')).body).toBe(
      'Sharbert! what a kerfuffle, fornax.',
    );
  });

  it('accepts exactly 140 characters, counted as characters rather than UTF-16 units', async () => {
    const session = await apiSession();

    expect((await postChirp(session.token, { body: 'a'.repeat(140) })).status).toBe(201);
    expect((await postChirp(session.token, { body: '🐦'.repeat(140) })).status).toBe(201);
    expect((await rowCounts()).chirps).toBe(2);
  });

  it.each([
    ['141 characters', 'a'.repeat(141), 'Chirp is too long (max 140 characters)'],
    ['141 emoji', '🐦'.repeat(141), 'Chirp is too long (max 140 characters)'],
    ['an empty body', '', 'Chirp is empty'],
    ['only spaces', '   ', 'Chirp is empty'],
    ['a NUL character, which Postgres text cannot hold', 'hello\u0000world', 'Chirp must not contain NUL characters'],
  ])('answers 400 to %s and stores nothing', async (_label, body, message) => {
    const session = await apiSession();

    expect(await expectError(await postChirp(session.token, { body }), 400)).toBe(message);
    expect((await rowCounts()).chirps).toBe(0);
  });

  it.each([
    ['body missing', {}, 'body is required'],
    ['body a number', { body: 42 }, 'body must be a string'],
    ['body null', { body: null }, 'body must be a string'],
    ['body an array', { body: ['hello'] }, 'body must be a string'],
  ])('answers 400 when the %s and stores nothing', async (_label, json, message) => {
    const session = await apiSession();

    expect(await expectError(await postChirp(session.token, json), 400)).toBe(message);
    expect((await rowCounts()).chirps).toBe(0);
  });

  it('answers 401 without an Authorization header and stores nothing', async () => {
    await apiSession();

    await expectError(await POST(makeRequest('POST', '/api/chirps', { json: { body: 'hello' } })), 401);
    expect((await rowCounts()).chirps).toBe(0);
  });

  it('answers 401 to a refresh token used as an access token', async () => {
    const session = await apiSession();

    await expectError(await postChirp(session.refreshToken, { body: 'hello' }), 401);
    expect((await rowCounts()).chirps).toBe(0);
  });

  it.each([
    ['a scheme and no token', 'Bearer'],
    ['another scheme', 'Token abc.def.ghi'],
    ['two tokens', 'Bearer abc def'],
  ])('answers 401 JSON to a malformed Authorization header: %s', async (_label, authorization) => {
    await apiSession();

    const request = makeRequest('POST', '/api/chirps', { json: { body: 'hello' }, headers: { authorization } });
    await expectError(await POST(request), 401);
    expect((await rowCounts()).chirps).toBe(0);
  });

  /** The claims of the session's own access token, issued now: what a forger with the secret would sign. */
  const claimsOf = (session: ApiSession) => accessClaims(session.id, accessTokenClaims(session.token).sid);

  /** Tokens an attacker could make: each must be refused by a route that writes. */
  const forgeries: Array<[string, (session: ApiSession) => Promise<string> | string]> = [
    [
      'signed with another secret',
      (session) => signJwt(claimsOf(session), { secret: 'another-secret-at-least-32-chars-long!!' }),
    ],
    ['with alg none and no signature', (session) => unsignedJwt(claimsOf(session))],
    ['signed with HS512 and the right secret', (session) => signJwt(claimsOf(session), { alg: 'HS512' })],
    ['from another issuer', (session) => signJwt({ ...claimsOf(session), iss: 'chirpy-refresh' })],
    ['without an issuer', (session) => signJwt({ ...claimsOf(session), iss: undefined })],
    [
      'expired a minute ago',
      (session) => signJwt({ ...claimsOf(session), iat: nowSeconds() - 3660, exp: nowSeconds() - 60 }),
    ],
    ['without an expiry', (session) => signJwt({ ...claimsOf(session), exp: undefined })],
    ['naming no session (no sid)', (session) => signJwt({ ...claimsOf(session), sid: undefined })],
    ['whose subject is not a user id', (session) => signJwt({ ...claimsOf(session), sub: 'admin' })],
    [
      'whose user does not exist',
      (session) => signJwt({ ...claimsOf(session), sub: '3f1c2a4e-8b7d-4c6e-9a5f-0d1e2f3a4b5c' }),
    ],
    [
      'with a tampered payload',
      async (session) => {
        const [header, , signature] = (await signJwt(claimsOf(session))).split('.');
        const payload = Buffer.from(JSON.stringify({ ...claimsOf(session), exp: nowSeconds() + 10 * 365 * 86400 }));
        return `${header}.${payload.toString('base64url')}.${signature}`;
      },
    ],
  ];

  it.each(forgeries)('answers 401 to an access token %s, and stores nothing', async (_label, forge) => {
    const session = await apiSession();

    await expectError(await postChirp(await forge(session), { body: 'forged' }), 401);
    expect((await rowCounts()).chirps).toBe(0);
  });

  it('accepts a token forged exactly like the real ones (so the refusals above are for the reason named)', async () => {
    const session = await apiSession();

    expect((await postChirp(await signJwt(claimsOf(session)), { body: 'genuine' })).status).toBe(201);
  });

  // The session check rides in the INSERT itself (one round trip): it must still refuse every way
  // a session ends, and a dead session hears 401 before any complaint about its body.
  it('answers 401 to the token of a session that has ended, and stores nothing, whatever the body', async () => {
    const session = await apiSession();
    await revokeSession(session.refreshToken, { ip: null, userAgent: null });

    await expectError(await postChirp(session.token, { body: 'after sign-out' }), 401);
    await expectError(await postChirp(session.token, { body: '' }), 401);
    expect((await rowCounts()).chirps).toBe(0);
  });

  it("answers 400 to a bad body from a live session, and 401 to another user's session id in a token", async () => {
    const session = await apiSession();
    const other = await apiSession();
    await expectError(await postChirp(session.token, { body: '' }), 400);

    const claims = { ...claimsOf(session), sid: accessTokenClaims(other.token).sid };
    await expectError(await postChirp(await signJwt(claims), { body: 'borrowed session' }), 401);
    expect((await rowCounts()).chirps).toBe(0);
  });

  it("answers 401 to a browser session's access token sent as a Bearer token", async () => {
    const browser = await browserSession();

    await expectError(await postChirp(browser.access, { body: 'lifted from the cookie' }), 401);
    expect((await rowCounts()).chirps).toBe(0);
  });

  it('answers 503 when the database is down', async () => {
    const session = await apiSession();

    await withDatabaseDown(async () => {
      expect(await jsonOf(await postChirp(session.token, { body: 'hello' }))).toStrictEqual({
        status: 503,
        body: { error: 'Service unavailable: the database is not answering' },
      });
    });
    expect((await rowCounts()).chirps).toBe(0);
  });
});

describeJsonBodyRules({
  route: 'POST /api/chirps',
  handler: POST,
  arrange: async () => ({ json: { body: 'hello' }, bearer: (await apiSession()).token }),
  acceptedStatus: 201,
  expectUnchanged: async () => expect((await rowCounts()).chirps).toBe(0),
});

describe('GET /api/chirps', () => {
  const minute = 60_000;
  const base = Date.UTC(2026, 0, 1, 12, 0, 0);

  /** Rows inserted out of time order, so an order that follows insertion would show. */
  async function seedChirps() {
    const alice = await signUp();
    const bob = await signUp();
    const db = await getDb();
    await db.insert(chirps).values([
      { userId: alice.id, body: 'second', createdAt: new Date(base + 2 * minute) },
      { userId: bob.id, body: 'fourth', createdAt: new Date(base + 4 * minute) },
      { userId: alice.id, body: 'first', createdAt: new Date(base + minute) },
      { userId: bob.id, body: 'third', createdAt: new Date(base + 3 * minute) },
    ]);
    return { alice, bob };
  }

  async function listBodies(query: string): Promise<string[]> {
    const { status, body } = await jsonOf(await GET(makeRequest('GET', `/api/chirps${query}`)));
    expect(status).toBe(200);
    expect(Array.isArray(body)).toBe(true);
    return (Array.isArray(body) ? body : []).map((item) => asPublicChirp(item).body);
  }

  it('answers 200 [] when there are no chirps', async () => {
    expect(await jsonOf(await GET(makeRequest('GET', '/api/chirps')))).toStrictEqual({ status: 200, body: [] });
  });

  it('lists every chirp, oldest first by default, each with exactly the chirp fields', async () => {
    const { alice } = await seedChirps();

    const { body } = await jsonOf(await GET(makeRequest('GET', '/api/chirps')));

    expect(Array.isArray(body) ? body[0] : undefined).toStrictEqual({
      id: expect.stringMatching(UUID),
      created_at: new Date(base + minute).toISOString(),
      updated_at: expect.stringMatching(ISO_TIMESTAMP),
      body: 'first',
      user_id: alice.id,
    });
    expect(await listBodies('')).toEqual(['first', 'second', 'third', 'fourth']);
    expect(await listBodies('?sort=asc')).toEqual(['first', 'second', 'third', 'fourth']);
  });

  it('lists newest first with sort=desc', async () => {
    await seedChirps();

    expect(await listBodies('?sort=desc')).toEqual(['fourth', 'third', 'second', 'first']);
  });

  it("lists one author's chirps with author_id, in either order", async () => {
    const { alice, bob } = await seedChirps();

    expect(await listBodies(`?author_id=${alice.id}`)).toEqual(['first', 'second']);
    expect(await listBodies(`?author_id=${bob.id}&sort=desc`)).toEqual(['fourth', 'third']);
  });

  it('answers [] for an author with no chirps', async () => {
    await seedChirps();
    const quiet = await signUp();

    expect(await listBodies(`?author_id=${quiet.id}`)).toEqual([]);
  });

  it.each([
    ['a malformed author_id', '?author_id=alice', 'author_id must be a UUID'],
    ['an empty author_id', '?author_id=', 'author_id must be a UUID'],
    ['an unknown sort', '?sort=newest', 'sort must be asc or desc'],
    ['an empty sort', '?sort=', 'sort must be asc or desc'],
    ['a repeated sort', '?sort=asc&sort=desc', 'sort is given more than once'],
  ])('answers 400 to %s', async (_label, query, message) => {
    await seedChirps();

    expect(await expectError(await GET(makeRequest('GET', `/api/chirps${query}`)), 400)).toBe(message);
  });

  it('answers 503 when the database is down', async () => {
    await withDatabaseDown(async () => {
      expect((await GET(makeRequest('GET', '/api/chirps'))).status).toBe(503);
    });
  });
});

describe('POST /api/chirps from a client that hangs up mid-body', () => {
  it('is not taken for a database outage: nothing is logged and nothing is written', async () => {
    const { token } = await apiSession();
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const hangUp = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    for (let attempt = 0; attempt < 20; attempt++) {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"body":"half a chi'));
        },
        pull(controller) {
          controller.error(hangUp);
        },
      });
      const init: RequestInit & { duplex: 'half' } = {
        method: 'POST',
        body,
        duplex: 'half',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': '40' },
      };
      const response = await POST(new NextRequest(new Request('http://localhost:3000/api/chirps', init)));
      expect(response.status).toBe(400);
    }
    expect(logged).not.toHaveBeenCalled();
    logged.mockRestore();
    expect(await getDb().then((db) => db.select().from(chirps))).toEqual([]);
  });
});

describe('GET /api/chirps, paged (limit and cursor)', () => {
  const instant = '2026-02-01T09:00:00';

  /**
   * 23 chirps by two authors whose times collide: five share one millisecond exactly, four more
   * differ only in microseconds (which a JavaScript Date cannot tell apart), the rest are apart.
   */
  async function seedCollidingChirps(): Promise<{ alice: string; bob: string }> {
    const alice = (await signUp()).id;
    const bob = (await signUp()).id;
    const db = await getDb();
    const at = (time: string) => sql`${time}::timestamptz`;
    const rows = [
      ...Array.from({ length: 5 }, (_, i) => ({ time: `${instant}.000000Z`, author: i % 2 ? alice : bob })),
      ...Array.from({ length: 4 }, (_, i) => ({ time: `${instant}.00010${i}Z`, author: i % 2 ? bob : alice })),
      ...Array.from({ length: 14 }, (_, i) => ({
        time: `2026-02-01T09:${String(i + 1).padStart(2, '0')}:00.000000Z`,
        author: i % 3 ? alice : bob,
      })),
    ];
    await db
      .insert(chirps)
      .values(rows.map((row, i) => ({ userId: row.author, body: `chirp ${i}`, createdAt: at(row.time) })));
    return { alice, bob };
  }

  async function getPage(path: string): Promise<{ ids: string[]; next: string | null }> {
    const response = await GET(makeRequest('GET', path));
    const { status, body } = await jsonOf(response);
    expect(status).toBe(200);
    const ids = (Array.isArray(body) ? body : []).map((item) => asPublicChirp(item).id);
    const link = response.headers.get('link');
    if (link === null) return { ids, next: null };
    const match = /^<([^>]+)>; rel="next"$/.exec(link);
    if (!match?.[1]) throw new Error(`malformed Link header: ${link}`);
    return { ids, next: match[1] };
  }

  /** Follows rel="next" from the first page to the last, collecting each page's ids. */
  async function walk(firstPath: string): Promise<string[][]> {
    const pages: string[][] = [];
    let path: string | null = firstPath;
    while (path !== null) {
      const page = await getPage(path);
      pages.push(page.ids);
      path = page.next;
      if (pages.length > 50) throw new Error('paging does not end');
    }
    return pages;
  }

  it.each(['desc', 'asc'])(
    'sort=%s: the pages hold every chirp exactly once, in the un-paged order, even with equal times',
    async (sort) => {
      await seedCollidingChirps();
      const all = (await getPage(`/api/chirps?sort=${sort}`)).ids;
      expect(all).toHaveLength(23);

      for (const limit of [1, 2, 4, 5, 7, 23, 100]) {
        const pages = await walk(`/api/chirps?sort=${sort}&limit=${limit}`);
        expect(pages.flat()).toEqual(all);
        expect(pages.slice(0, -1).every((page) => page.length === limit)).toBe(true);
        expect(pages).toHaveLength(Math.ceil(23 / limit));
      }
    },
  );

  it('with author_id, pages through that author only, and the Link keeps the author, the order and the limit', async () => {
    const { alice } = await seedCollidingChirps();
    const hers = (await getPage(`/api/chirps?author_id=${alice}&sort=desc`)).ids;

    const first = await getPage(`/api/chirps?author_id=${alice}&sort=desc&limit=3`);

    expect(first.next).toMatch(
      new RegExp(`^/api/chirps\\?author_id=${alice}&sort=desc&limit=3&cursor=[A-Za-z0-9_-]+$`),
    );
    expect((await walk(`/api/chirps?author_id=${alice}&sort=desc&limit=3`)).flat()).toEqual(hers);
  });

  it('a page that ends exactly at the last chirp has no Link, and a missing limit with a cursor is CHIRPS_PAGE_SIZE', async () => {
    vi.stubEnv('CHIRPS_PAGE_SIZE', '10');
    await seedCollidingChirps();

    expect((await getPage('/api/chirps?limit=23')).next).toBeNull();
    const first = await getPage('/api/chirps?limit=20');
    const cursor = new URL(first.next ?? '', 'http://localhost').searchParams.get('cursor');
    const rest = await getPage(`/api/chirps?cursor=${cursor}`);
    expect(rest.ids).toHaveLength(3);
    expect(rest.next).toBeNull();
  });

  it('without limit or cursor: every chirp, and no Link header (the original contract)', async () => {
    await seedCollidingChirps();
    const response = await GET(makeRequest('GET', '/api/chirps'));
    expect(response.headers.get('link')).toBeNull();
    expect((await getPage('/api/chirps')).ids).toHaveLength(23);
  });

  it('a cursor still pages correctly after the chirp it points at was deleted', async () => {
    await seedCollidingChirps();
    const all = (await getPage('/api/chirps?sort=desc')).ids;
    const first = await getPage('/api/chirps?sort=desc&limit=6');
    const db = await getDb();
    await db.delete(chirps).where(eq(chirps.id, first.ids[5] ?? ''));

    expect((await walk(first.next ?? '')).flat()).toEqual(all.slice(6));
  });

  it.each([
    ['limit=0', 'limit must be a whole number from 1 to 100'],
    ['limit=101', 'limit must be a whole number from 1 to 100'],
    ['limit=-1', 'limit must be a whole number from 1 to 100'],
    ['limit=1.5', 'limit must be a whole number from 1 to 100'],
    ['limit=ten', 'limit must be a whole number from 1 to 100'],
    ['limit=', 'limit must be a whole number from 1 to 100'],
    ['limit=1&limit=2', 'limit is given more than once'],
    ['cursor=', 'cursor is not valid: pass the one a previous page linked to'],
    ['cursor=not-a-cursor', 'cursor is not valid: pass the one a previous page linked to'],
    ['cursor=%2B%2F%3D', 'cursor is not valid: pass the one a previous page linked to'],
  ])('answers 400 to %s', async (query, message) => {
    await seedCollidingChirps();
    expect(await expectError(await GET(makeRequest('GET', `/api/chirps?${query}`)), 400)).toBe(message);
  });

  it.each([
    ['a time that is no date', '2026-02-30T09:00:00.000000Z/0b7e3c52-8d1a-4f6e-a2c9-5e4d3b2a1f00'],
    ['year 0, which Postgres has not', '0000-01-01T00:00:00.000000Z/0b7e3c52-8d1a-4f6e-a2c9-5e4d3b2a1f00'],
    ['a time at millisecond precision', '2026-02-01T09:00:00.000Z/0b7e3c52-8d1a-4f6e-a2c9-5e4d3b2a1f00'],
    ['an id that is no UUID', '2026-02-01T09:00:00.000000Z/alice'],
    ['a third part', '2026-02-01T09:00:00.000000Z/0b7e3c52-8d1a-4f6e-a2c9-5e4d3b2a1f00/x'],
    ['SQL', "2026-02-01T09:00:00.000000Z'; drop table chirps; --/0b7e3c52-8d1a-4f6e-a2c9-5e4d3b2a1f00"],
  ])('answers 400, not 500, to a well-encoded cursor holding %s', async (_label, decoded) => {
    await seedCollidingChirps();
    const cursor = Buffer.from(decoded).toString('base64url');
    expect(await expectError(await GET(makeRequest('GET', `/api/chirps?limit=5&cursor=${cursor}`)), 400)).toBe(
      'cursor is not valid: pass the one a previous page linked to',
    );
    expect((await rowCounts()).chirps).toBe(23);
  });

  it('accepts the bounds of limit, 1 and 100', async () => {
    await seedCollidingChirps();
    expect((await getPage('/api/chirps?limit=1')).ids).toHaveLength(1);
    expect((await getPage('/api/chirps?limit=100')).ids).toHaveLength(23);
  });
});
