import { NextRequest } from 'next/server';
import { describe, expect, it, vi } from 'vitest';
import { getDb } from '@/lib/db/client';
import { chirps } from '@/lib/db/schema';
import {
  accessClaims,
  apiSession,
  asPublicChirp,
  chirp,
  nowSeconds,
  rowCounts,
  signJwt,
  signUp,
  unsignedJwt,
  withDatabaseDown,
} from '@/test/fixtures';
import {
  expectError,
  ISO_TIMESTAMP,
  jsonOf,
  makeRequest,
  NOT_A_JSON_OBJECT,
  oversizedJson,
  rawJsonRequest,
  UUID,
} from '@/test/http';
import { GET, POST } from './route';

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

  it.each(NOT_A_JSON_OBJECT)('answers 400 to %s and stores nothing', async (_label, body) => {
    const session = await apiSession();

    await expectError(await POST(rawJsonRequest('POST', '/api/chirps', body, { bearer: session.token })), 400);
    expect((await rowCounts()).chirps).toBe(0);
  });

  it('answers 413 to a body over 64 KiB and stores nothing', async () => {
    const session = await apiSession();

    const request = rawJsonRequest('POST', '/api/chirps', oversizedJson({ body: 'hi' }), { bearer: session.token });
    await expectError(await POST(request), 413);
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

  /** Tokens an attacker could make: each must be refused by a route that writes. */
  const forgeries: Array<[string, (userId: string) => Promise<string> | string]> = [
    [
      'signed with another secret',
      (id) => signJwt(accessClaims(id), { secret: 'another-secret-at-least-32-chars-long!!' }),
    ],
    ['with alg none and no signature', (id) => unsignedJwt(accessClaims(id))],
    ['signed with HS512 and the right secret', (id) => signJwt(accessClaims(id), { alg: 'HS512' })],
    ['from another issuer', (id) => signJwt({ ...accessClaims(id), iss: 'chirpy-refresh' })],
    ['without an issuer', (id) => signJwt({ ...accessClaims(id), iss: undefined })],
    [
      'expired a minute ago',
      (id) => signJwt({ ...accessClaims(id), iat: nowSeconds() - 3660, exp: nowSeconds() - 60 }),
    ],
    ['without an expiry', (id) => signJwt({ ...accessClaims(id), exp: undefined })],
    ['whose subject is not a user id', () => signJwt(accessClaims('admin'))],
    ['whose user does not exist', () => signJwt(accessClaims('3f1c2a4e-8b7d-4c6e-9a5f-0d1e2f3a4b5c'))],
    [
      'with a tampered payload',
      async (id) => {
        const [header, , signature] = (await signJwt(accessClaims(id))).split('.');
        const payload = Buffer.from(JSON.stringify({ ...accessClaims(id), exp: nowSeconds() + 10 * 365 * 86400 }));
        return `${header}.${payload.toString('base64url')}.${signature}`;
      },
    ],
  ];

  it.each(forgeries)('answers 401 to an access token %s, and stores nothing', async (_label, forge) => {
    const session = await apiSession();

    await expectError(await postChirp(await forge(session.id), { body: 'forged' }), 401);
    expect((await rowCounts()).chirps).toBe(0);
  });

  it('accepts a token forged exactly like the real ones (so the refusals above are for the reason named)', async () => {
    const session = await apiSession();

    expect((await postChirp(await signJwt(accessClaims(session.id)), { body: 'genuine' })).status).toBe(201);
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
