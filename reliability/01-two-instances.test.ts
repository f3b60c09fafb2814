import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ACCESS_COOKIE, apiLogin, browserLogin, newCredentials, REFRESH_COOKIE, signUp } from './harness/accounts';
import { randomAddress, send, serverFor, servers, setCookieValue } from './harness/client';
import { liveTokensOfSession, query, sessionIdOf, sessionState, sha256 } from './harness/database';
import { reportWhenDone } from './harness/part';
import { LOGIN_ACCOUNT_LIMIT } from './harness/settings';

/**
 * Two production servers on one database, as the app scales out: every race below is split
 * across both instances, so only the database can decide who wins.
 */

reportWhenDone('two instances', () => ({ instances: servers.length }));

const meSchema = z.object({ id: z.string() });

describe('two instances, one database', () => {
  it('50 parallel cookie rotations of one refresh token: all succeed, one session, one live token', async () => {
    const [first = servers[0], second] = servers;
    if (!first || !second) throw new Error('two servers expected');
    const account = await signUp(first, 'rotate');
    const session = await browserLogin(second, account);
    const sessionId = await sessionIdOf(session.refresh);

    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        send(serverFor(index), {
          method: 'POST',
          path: '/api/refresh',
          cookies: { [REFRESH_COOKIE]: session.refresh },
          sameOrigin: true,
        }),
      ),
    );

    expect(replies.map((reply) => reply.status)).toEqual(Array(50).fill(204));
    // Nobody is signed out: no answer clears a cookie, and every one carries a working access cookie.
    const cleared = replies.flatMap((reply) =>
      [ACCESS_COOKIE, REFRESH_COOKIE].map((name) => setCookieValue(reply, name)),
    );
    expect(cleared.filter((cookie) => cookie !== undefined && (cookie.value === '' || cookie.maxAge === 0))).toEqual(
      [],
    );
    // Today exactly one answer carries the successor (the others, inside the grace window, only an
    // access cookie); what must hold whatever the design is that the live token is one handed out.
    const successors = replies.flatMap((reply) => setCookieValue(reply, REFRESH_COOKIE)?.value ?? []);
    expect(successors.length).toBeGreaterThanOrEqual(1);
    const accessTokens = replies.map((reply) => setCookieValue(reply, ACCESS_COOKIE)?.value);
    expect(accessTokens.every((token) => typeof token === 'string' && token.length > 0)).toBe(true);
    const me = await Promise.all(
      accessTokens.map((token, index) =>
        send(serverFor(index + 1), { path: '/api/me', cookies: { [ACCESS_COOKIE]: token } }),
      ),
    );
    expect(me.map((reply) => reply.status)).toEqual(Array(50).fill(200));
    expect(new Set(me.map((reply) => meSchema.parse(JSON.parse(reply.body)).id))).toEqual(new Set([account.id]));

    expect(await sessionState(account.id)).toMatchObject({ sessions: 1, liveTokens: 1 });
    expect(await liveTokensOfSession(sessionId)).toBe(1);
    // The one live token is a successor the browser was sent, and it rotates on.
    const [live] = await query<{ token_hash: string }>(
      'select token_hash from refresh_tokens where session_id = $1 and revoked_at is null',
      [sessionId],
    );
    const kept = successors.find((token) => sha256(token) === live?.token_hash);
    expect(kept, 'the live refresh token is one the answers handed out').toBeDefined();
    const next = await send(first, {
      method: 'POST',
      path: '/api/refresh',
      cookies: { [REFRESH_COOKIE]: kept },
      sameOrigin: true,
    });
    expect(next.status).toBe(204);
    expect(setCookieValue(next, REFRESH_COOKIE)?.value).toMatch(/^[0-9a-f]{64}$/);
  });

  it('200 parallel bearer refreshes with one token (limit raised): all 200', async () => {
    const account = await signUp(servers[0] ?? serverFor(0), 'bearer');
    const session = await apiLogin(serverFor(1), account);
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        send(serverFor(index), { method: 'POST', path: '/api/refresh', bearer: session.refreshToken }),
      ),
    );
    expect(replies.map((reply) => reply.status)).toEqual(Array(200).fill(200));
    const tokens = replies.map((reply) => z.object({ token: z.string() }).parse(JSON.parse(reply.body)).token);
    const me = await send(serverFor(0), { path: '/api/me', bearer: tokens[199] });
    expect(me.status).toBe(200);
    expect(await sessionState(account.id)).toEqual({ sessions: 1, liveTokens: 1, tokens: 1 });
  });

  it('sign-out racing a rotation: the session ends and no live token survives it', async () => {
    const rounds = 20;
    const survivors: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const account = await signUp(serverFor(round), 'race');
      const session = await browserLogin(serverFor(round + 1), account);
      const sessionId = await sessionIdOf(session.refresh);
      const cookies = { [REFRESH_COOKIE]: session.refresh };
      const [signOut, rotation] = await Promise.all([
        send(serverFor(round), { method: 'POST', path: '/api/revoke', cookies, sameOrigin: true }),
        send(serverFor(round + 1), { method: 'POST', path: '/api/refresh', cookies, sameOrigin: true }),
      ]);
      expect(signOut.status).toBe(204);
      expect([204, 401]).toContain(rotation.status);
      const live = await liveTokensOfSession(sessionId);
      // Whatever the rotation handed out must be dead too: its refresh cookie and its access cookie.
      const successor = setCookieValue(rotation, REFRESH_COOKIE)?.value;
      const rotates = successor
        ? await send(serverFor(round), {
            method: 'POST',
            path: '/api/refresh',
            cookies: { [REFRESH_COOKIE]: successor },
            sameOrigin: true,
          })
        : null;
      const access = setCookieValue(rotation, ACCESS_COOKIE)?.value;
      const me = access
        ? await send(serverFor(round), { path: '/api/me', cookies: { [ACCESS_COOKIE]: access } })
        : null;
      if (live > 0 || rotates?.status === 204 || me?.status === 200) {
        survivors.push(
          `round ${round}: ${live} live token(s) after sign-out; successor rotates: ${rotates?.status ?? '-'}; ` +
            `its access cookie: ${me?.status ?? '-'}`,
        );
      }
    }
    expect(survivors, `signed-out sessions still alive, of ${rounds} races`).toEqual([]);
  });

  it('two sign-ups with one email: one 201, one 409', async () => {
    for (let round = 0; round < 10; round++) {
      const credentials = newCredentials('twin');
      const replies = await Promise.all(
        [0, 1].map((index) => send(serverFor(index), { path: '/api/users', json: credentials, ip: randomAddress() })),
      );
      expect(replies.map((reply) => reply.status).sort()).toEqual([201, 409]);
      const rows = await query('select id from users where email = $1', [credentials.email]);
      expect(rows).toHaveLength(1);
    }
  });

  it(`the rate limiter: 40 parallel sign-ins against a limit of ${LOGIN_ACCOUNT_LIMIT} let exactly that many through`, async () => {
    const account = await signUp(serverFor(0), 'limited');
    const ip = randomAddress();
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        send(serverFor(index), {
          path: '/api/login',
          json: { email: account.email, password: index % 2 === 0 ? account.password : 'wrong password' },
          ip,
        }),
      ),
    );
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.filter((status) => status !== 429)).toHaveLength(LOGIN_ACCOUNT_LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(40 - LOGIN_ACCOUNT_LIMIT);
    expect(statuses.every((status) => [200, 401, 429].includes(status))).toBe(true);
    for (const reply of replies.filter((candidate) => candidate.status === 429)) {
      expect(Number(reply.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    // Both instances refused some: the count is shared, not per process.
    const refusedBy = new Set(replies.flatMap((reply, index) => (reply.status === 429 ? [index % 2] : [])));
    expect(refusedBy).toEqual(new Set([0, 1]));
    // Another address is a bucket of its own: the owner elsewhere is not locked out.
    const elsewhere = await send(serverFor(1), {
      path: '/api/login',
      json: { email: account.email, password: account.password },
      ip: randomAddress(),
    });
    expect(elsewhere.status).toBe(200);
  });
});
