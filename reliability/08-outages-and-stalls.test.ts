import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ACCESS_COOKIE, apiLogin, browserLogin, REFRESH_COOKIE, signUp } from './harness/accounts';
import { type Reply, runDir, send } from './harness/client';
import { reportWhenDone } from './harness/part';
import { relayControl } from './harness/relay';
import { report } from './harness/report';
import { type StartedServer, startServer } from './harness/servers';
import { serverEnvironment } from './harness/settings';

/**
 * The database away in the two ways a page and a query meet it. Cut (connections refused): a page
 * a signed-in browser renders answers the proxy's own 503 page with Retry-After, and the server
 * logs the one outage line, no stack and no SQL. Stalled (connections accepted, nothing answered):
 * each request gives up after DATABASE_QUERY_TIMEOUT_MS with a 503 instead of waiting forever, and
 * everything works again, without a restart, once the database answers.
 */

const { relay, faultsInjected } = relayControl();
reportWhenDone('outages and stalls', () => ({ faultsInjected: faultsInjected() }));

/** While the relay is `fault`ed, runs `work`; the relay is restored whatever happens. */
async function whileDatabase<T>(fault: 'cut' | 'stall', work: () => Promise<T>): Promise<T> {
  await relay(fault);
  try {
    return await work();
  } finally {
    await relay('restore');
  }
}

function logOf(name: string): string {
  return join(runDir, `server-${name}.log`);
}

/** The lines a server has logged since `from` (a byte offset of its log). */
function linesLoggedSince(name: string, from: number): string[] {
  return readFileSync(logOf(name)).subarray(from).toString('utf8').split('\n').filter(Boolean);
}

const QUERY_TIMEOUT_MS = 1_000;
const CONNECT_TIMEOUT_MS = 1_000;
/** On top of the timeout: the request's own work and the machine's load, not a second wait. */
const SLACK_MS = 2_000;

/**
 * A server of the part's own, on the same relay as the shared two: short timeouts, and an outage
 * log of its own, so that what it logs for this part's outage is not summed up with the last
 * part's (the log sums up an outage's failures for 10 s after each).
 */
let own: StartedServer;

beforeAll(async () => {
  own = await startServer({
    name: 'outages',
    runDir,
    env: (port) => ({
      ...serverEnvironment({
        port,
        databaseUrl: inject('reliabilityRelayedDatabaseUrl'),
        jwtSecret: inject('reliabilityJwtSecret'),
        polkaKey: inject('reliabilityPolkaKey'),
        cronSecret: inject('reliabilityCronSecret'),
      }),
      DATABASE_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    }),
  });
});
afterAll(() => own?.stop());

describe('a page while the database is cut', () => {
  it("answers a signed-in browser the proxy's 503 page with Retry-After, and logs one outage line, no stack, no SQL", async () => {
    const server = own.info;
    const browser = await browserLogin(server, await signUp(server, 'page-outage'));
    const logged = statSync(logOf(server.name)).size;

    const [page, proxyPage] = await whileDatabase('cut', () =>
      Promise.all([
        // A valid access cookie: the proxy lets it through, and the page's own reads meet the cut.
        send(server, { path: '/', cookies: { [ACCESS_COOKIE]: browser.access } }),
        // No access cookie: the proxy's renewal meets the cut and answers its 503 page itself.
        send(server, { path: '/', cookies: { [REFRESH_COOKIE]: browser.refresh } }),
      ]),
    );

    expect(proxyPage.status).toBe(503);
    expect(page.status).toBe(503);
    expect(page.headers['retry-after']).toMatch(/^\d+$/);
    expect(page.headers['retry-after']).toBe(proxyPage.headers['retry-after']);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toBe(proxyPage.body);
    expect(page.setCookies).toEqual([]);

    await sleep(500);
    const lines = linesLoggedSince(server.name, logged);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/database unavailable \(/);

    const after = await send(server, {
      path: '/',
      cookies: { [ACCESS_COOKIE]: browser.access, [REFRESH_COOKIE]: browser.refresh },
    });
    expect(after.status).toBe(200);
    expect(after.body).toContain(browser.email);
  });
});

describe('a stalled database (accepts connections, never answers)', () => {
  it('answers 503 within DATABASE_QUERY_TIMEOUT_MS instead of hanging, and recovers without a restart', async () => {
    const server = own.info;
    const account = await signUp(server, 'stall');
    const api = await apiLogin(server, account);
    const browser = await browserLogin(server, account);
    const cookies = { [ACCESS_COOKIE]: browser.access, [REFRESH_COOKIE]: browser.refresh };
    const calls = {
      'GET /api/me': () => send(server, { path: '/api/me', bearer: api.token, timeoutMs: 10_000 }),
      'POST /api/refresh': () =>
        send(server, { method: 'POST', path: '/api/refresh', bearer: api.refreshToken, timeoutMs: 10_000 }),
      'GET / (signed in)': () => send(server, { path: '/', cookies, timeoutMs: 10_000 }),
      'POST /api/login': () =>
        send(server, {
          path: '/api/login',
          json: { email: account.email, password: account.password },
          timeoutMs: 10_000,
        }),
    };
    const everyCall = () =>
      Promise.all(Object.entries(calls).map(async ([name, call]) => ({ name, reply: await answerOrError(call) })));
    // Connections in the pool before the stall, so the first reads wait on a query, not a connect.
    expect((await everyCall()).map(({ reply }) => reply.status)).toEqual([200, 200, 200, 200]);

    const during = await whileDatabase('stall', everyCall);
    const slowest = Math.max(...during.map(({ reply }) => reply.ms));
    report(runDir, 'stalled database', {
      queryTimeoutMs: QUERY_TIMEOUT_MS,
      answers: during.map(({ name, reply }) => `${name}: ${reply.status} in ${Math.round(reply.ms)} ms`),
    });
    expect(during.map(({ name, reply }) => `${name}: ${reply.status}`)).toEqual(
      Object.keys(calls).map((name) => `${name}: 503`),
    );
    for (const { reply } of during) expect(reply.headers['retry-after']).toMatch(/^\d+$/);
    expect(slowest).toBeLessThan(Math.max(QUERY_TIMEOUT_MS, CONNECT_TIMEOUT_MS) + SLACK_MS);

    const after = await everyCall();
    expect(after.map(({ name, reply }) => `${name}: ${reply.status}`)).toEqual(
      Object.keys(calls).map((name) => `${name}: 200`),
    );
  });
});

/** A reply, or a stand-in saying why there was none (no answer in time, a dropped connection). */
async function answerOrError(call: () => Promise<Reply>): Promise<Reply> {
  const started = performance.now();
  try {
    return await call();
  } catch (error) {
    return { status: 0, headers: {}, body: String(error), ms: performance.now() - started, setCookies: [] };
  }
}
