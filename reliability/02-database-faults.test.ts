import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  ACCESS_COOKIE,
  type ApiSession,
  apiLogin,
  type BrowserSession,
  browserLogin,
  REFRESH_COOKIE,
  signUp,
} from './harness/accounts';
import { parseSetCookies, type Reply, randomAddress, runDir, send, serverFor, servers } from './harness/client';
import { integrityViolations } from './harness/database';
import { reportWhenDone } from './harness/part';
import { relayControl } from './harness/relay';
import { report } from './harness/report';

/**
 * The database going away under load: the suite's TCP relay sits between both servers and
 * PostgreSQL, and is cut (every connection dropped, new ones refused) while a dozen clients keep
 * both instances busy. While it is cut, every API request must fail fast with a complete 503 JSON
 * answer, nobody may be signed out, and no server may die; once it is back, everything must work
 * again without a restart, and the database must hold no half-written rows.
 */

const { relay, faultsInjected } = relayControl();
reportWhenDone('database faults', () => ({ faultsInjected: faultsInjected() }));

type Client = { api: ApiSession; browser: BrowserSession; jar: Record<string, string>; signedOut: string[] };

type Outcome = {
  client: number;
  action: string;
  started: number;
  ended: number;
  reply?: Reply;
  error?: string;
};

const ACTIONS = ['me', 'post chirp', 'bearer refresh', 'cookie rotation', 'list chirps', 'page', 'login'] as const;
type Action = (typeof ACTIONS)[number];

function applyCookies(client: Client, reply: Reply, action: string): void {
  for (const cookie of parseSetCookies(reply.setCookies)) {
    if (cookie.value === '' || cookie.maxAge === 0) {
      client.signedOut.push(`${action}: ${reply.status} cleared ${cookie.name}`);
      delete client.jar[cookie.name];
    } else {
      client.jar[cookie.name] = cookie.value;
    }
  }
}

async function perform(client: Client, index: number, action: Action): Promise<Reply> {
  const server = serverFor(index);
  switch (action) {
    case 'me':
      return send(server, { path: '/api/me', bearer: client.api.token });
    case 'post chirp':
      return send(server, { path: '/api/chirps', bearer: client.api.token, json: { body: `under load ${index}` } });
    case 'bearer refresh':
      return send(server, { method: 'POST', path: '/api/refresh', bearer: client.api.refreshToken });
    case 'cookie rotation':
      return send(server, { method: 'POST', path: '/api/refresh', cookies: { ...client.jar }, sameOrigin: true });
    case 'list chirps':
      return send(server, { path: '/api/chirps?sort=desc&limit=5' });
    case 'page':
      return send(server, { path: '/', cookies: { ...client.jar } });
    case 'login':
      return send(server, {
        path: '/api/login',
        json: { email: client.api.email, password: client.api.password },
        ip: randomAddress(),
      });
  }
}

/** Each client loops through the actions on alternating instances until told to stop. */
async function runClient(client: Client, clientIndex: number, stop: { at: number }, log: Outcome[]): Promise<void> {
  let step = clientIndex;
  while (Date.now() < stop.at) {
    step += 1;
    const action = ACTIONS[step % ACTIONS.length] ?? 'me';
    const started = Date.now();
    try {
      const reply = await perform(client, step, action);
      applyCookies(client, reply, action);
      log.push({ client: clientIndex, action, started, ended: Date.now(), reply });
    } catch (error) {
      log.push({ client: clientIndex, action, started, ended: Date.now(), error: String(error) });
    }
    await sleep(20);
  }
}

function isApi(action: string): boolean {
  return action !== 'page';
}

describe('the database cut mid-load', () => {
  it('fails fast with 503 JSON while cut, signs nobody out, and recovers without a restart', async () => {
    const clients: Client[] = [];
    for (let index = 0; index < 12; index++) {
      const account = await signUp(serverFor(index), 'fault');
      const api = await apiLogin(serverFor(index + 1), account);
      const browser = await browserLogin(serverFor(index), account);
      clients.push({
        api,
        browser,
        jar: { [ACCESS_COOKIE]: browser.access, [REFRESH_COOKIE]: browser.refresh },
        signedOut: [],
      });
    }

    const log: Outcome[] = [];
    const stop = { at: Date.now() + 60_000 };
    const load = clients.map((client, index) => runClient(client, index, stop, log));

    // The schedule: load, a long cut, recovery, then two short cuts in a row (a flapping link).
    const windows: Array<{ from: number; to: number }> = [];
    await sleep(2_500);
    for (const length of [4_000, 600, 600]) {
      const from = Date.now();
      await relay('cut');
      await sleep(length);
      await relay('restore');
      windows.push({ from, to: Date.now() });
      await sleep(length > 1_000 ? 4_000 : 2_500);
    }
    const recoveredFrom = Date.now();
    await sleep(4_000);
    stop.at = Date.now();
    await Promise.all(load);

    // No hang, no partial answer, no dropped connection: every request got a whole response.
    expect(
      log.filter((outcome) => outcome.error !== undefined).map((outcome) => `${outcome.action}: ${outcome.error}`),
    ).toEqual([]);

    // While cut (from a moment after the cut until it was restored), API requests answer 503 JSON
    // with Retry-After, fast. Pages answer the 503 page with Retry-After, also fast, whether the
    // proxy's renewal or the page's own reads met the cut; none signs anyone out.
    const during = log.filter((outcome) =>
      windows.some((w) => outcome.started >= w.from + 150 && outcome.ended <= w.to),
    );
    expect(during.length).toBeGreaterThan(50);
    const wrong = during.flatMap((outcome) => {
      const reply = outcome.reply;
      if (!reply) return [];
      const retryAfter = /^\d+$/.test(String(reply.headers['retry-after'] ?? ''));
      if (isApi(outcome.action)) {
        const json = safeJson(reply.body);
        const ok = reply.status === 503 && typeof json === 'object' && json !== null && 'error' in json && retryAfter;
        return ok ? [] : [`${outcome.action}: ${reply.status} ${reply.body.slice(0, 120)}`];
      }
      const page = reply.status === 503 && retryAfter && String(reply.headers['content-type']).startsWith('text/html');
      return page ? [] : [`${outcome.action}: ${reply.status} while the database was away`];
    });
    expect(wrong).toEqual([]);
    const slowest = Math.max(...during.map((outcome) => outcome.ended - outcome.started));
    expect(slowest, 'slowest answer while the database was cut (ms)').toBeLessThan(3_000);

    // Nobody was signed out, by any answer, at any time.
    expect(clients.flatMap((client) => client.signedOut)).toEqual([]);

    // Recovered without a restart: every request since shortly after the last restore succeeded.
    const after = log.filter((outcome) => outcome.started >= recoveredFrom);
    expect(after.length).toBeGreaterThan(50);
    expect(
      after.filter((outcome) => (outcome.reply?.status ?? 0) >= 300).map((o) => `${o.action}: ${o.reply?.status}`),
    ).toEqual([]);
    for (const server of servers) {
      expect(() => process.kill(server.pid, 0), `server ${server.name} is alive`).not.toThrow();
      expect(existsSync(join(runDir, `server-${server.name}.exit`)), `server ${server.name} never exited`).toBe(false);
    }

    // Every client's sessions still work: the bearer token, and the browser's cookies.
    for (const [index, client] of clients.entries()) {
      expect((await send(serverFor(index), { path: '/api/me', bearer: client.api.token })).status).toBe(200);
      const renewed = await send(serverFor(index + 1), {
        method: 'POST',
        path: '/api/refresh',
        cookies: { [REFRESH_COOKIE]: client.jar[REFRESH_COOKIE] },
        sameOrigin: true,
      });
      expect(renewed.status, `client ${index}'s browser session after the faults`).toBe(204);
    }

    // No half-written rows.
    expect(await integrityViolations()).toEqual({
      tokensWithoutUser: 0,
      sessionsWithTwoLiveTokens: 0,
      bearerSessionsWithTwoTokens: 0,
      rotationsWithoutSuccessor: 0,
      rotationsWithTwoPredecessors: 0,
      successorsInAnotherSession: 0,
      chirpsWithoutAuthor: 0,
      eventsOfMissingUsers: 0,
    });
    report(runDir, 'database faults detail', {
      requestsUnderFault: during.length,
      slowestUnderFaultMs: slowest,
      statusesUnderFault: countBy(during.map((outcome) => `${outcome.action}:${outcome.reply?.status}`)),
    });
  });
});

function safeJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
