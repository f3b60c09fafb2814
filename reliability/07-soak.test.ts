import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ACCESS_COOKIE, type ApiSession, apiLogin, browserLogin, REFRESH_COOKIE, signUp } from './harness/accounts';
import {
  jsonBody,
  parseSetCookies,
  type Reply,
  randomAddress,
  runDir,
  send,
  serverFor,
  servers,
} from './harness/client';
import { reportWhenDone } from './harness/part';
import { report } from './harness/report';
import { SESSION_ACCESS_TTL_SECONDS } from './harness/settings';

/**
 * Mixed traffic across both instances for a minute (after 15 s of warm-up that is not measured):
 * sign-ins, bearer refreshes, cookie rotations (explicit, and by the proxy whenever a 4-second
 * access cookie has run out), chirps posted and deleted, API reads and page loads. No request may
 * fail unexpectedly, and neither server's resident memory may grow by 10% or more from the first
 * ten seconds to the last ten.
 */

const WARM_UP_MS = Number(process.env.RELIABILITY_SOAK_WARMUP_SECONDS ?? 15) * 1000;
const SOAK_MS = Number(process.env.RELIABILITY_SOAK_SECONDS ?? 60) * 1000;
const USERS = 8;
reportWhenDone('soak');

/** Resident memory of a process and its descendants, in bytes, from /proc. */
function residentBytes(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  let total = 0;
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.pop() ?? pid;
    try {
      const status = readFileSync(`/proc/${current}/status`, 'utf8');
      total += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // Gone meanwhile.
    }
    queue.push(...(children.get(current) ?? []));
  }
  return total;
}

type Sample = { at: number; rss: number[] };

type User = {
  api: ApiSession;
  jar: Record<string, string>;
  /** When each cookie's Max-Age runs out: a browser stops sending it then. */
  expires: Record<string, number>;
  chirps: string[];
};

/** The cookies a browser would still send now. */
function cookiesOf(user: User): Record<string, string> {
  const now = Date.now();
  return Object.fromEntries(Object.entries(user.jar).filter(([name]) => (user.expires[name] ?? Infinity) > now));
}

const ACTIONS = [
  ['login', 1],
  ['bearer refresh', 2],
  ['me', 2],
  ['post chirp', 2],
  ['delete chirp', 1],
  ['list chirps', 2],
  ['page', 3],
  ['author page', 1],
  ['cookie rotation', 1],
] as const;
type Action = (typeof ACTIONS)[number][0];
const WEIGHTS = ACTIONS.reduce((sum, [, weight]) => sum + weight, 0);

function pickAction(): Action {
  let roll = Math.random() * WEIGHTS;
  for (const [action, weight] of ACTIONS) {
    roll -= weight;
    if (roll < 0) return action;
  }
  return 'me';
}

const idSchema = z.object({ id: z.string() });

/** Does one action; returns what went wrong, or null. Cookies the answer sets go into the jar. */
async function act(user: User, action: Action, index: number): Promise<string | null> {
  const server = serverFor(index);
  const expect = (reply: Reply, ...statuses: number[]) =>
    statuses.includes(reply.status) ? null : `${action} on ${server.name}: ${reply.status} ${reply.body.slice(0, 100)}`;
  const keep = (reply: Reply) => {
    for (const cookie of parseSetCookies(reply.setCookies)) {
      if (cookie.value === '' || cookie.maxAge === 0) return `${action} on ${server.name}: signed out (${cookie.name})`;
      user.jar[cookie.name] = cookie.value;
      if (cookie.maxAge !== null) user.expires[cookie.name] = Date.now() + cookie.maxAge * 1000;
    }
    return null;
  };
  switch (action) {
    case 'login': {
      const reply = await send(server, {
        path: '/api/login',
        json: { email: user.api.email, password: user.api.password },
        ip: randomAddress(),
      });
      return expect(reply, 200);
    }
    case 'bearer refresh':
      return expect(await send(server, { method: 'POST', path: '/api/refresh', bearer: user.api.refreshToken }), 200);
    case 'me':
      return expect(await send(server, { path: '/api/me', bearer: user.api.token }), 200);
    case 'post chirp': {
      const reply = await send(server, {
        path: '/api/chirps',
        bearer: user.api.token,
        json: { body: `soak ${index}` },
      });
      if (reply.status === 201) user.chirps.push(idSchema.parse(jsonBody(reply)).id);
      return expect(reply, 201);
    }
    case 'delete chirp': {
      const id = user.chirps.pop();
      if (id === undefined) return null;
      return expect(await send(server, { method: 'DELETE', path: `/api/chirps/${id}`, bearer: user.api.token }), 204);
    }
    case 'list chirps':
      return expect(await send(server, { path: '/api/chirps?sort=desc&limit=20' }), 200);
    case 'page': {
      const reply = await send(server, { path: '/', cookies: cookiesOf(user) });
      return (
        expect(reply, 200) ??
        keep(reply) ??
        (reply.body.includes(user.api.email) ? null : `page on ${server.name}: not signed in`)
      );
    }
    case 'author page': {
      // A page load may renew the session (the proxy rotates): the browser keeps what it is sent.
      const reply = await send(server, { path: `/users/${user.api.id}`, cookies: cookiesOf(user) });
      return expect(reply, 200) ?? keep(reply);
    }
    case 'cookie rotation': {
      const reply = await send(server, {
        method: 'POST',
        path: '/api/refresh',
        cookies: { [REFRESH_COOKIE]: cookiesOf(user)[REFRESH_COOKIE] },
        sameOrigin: true,
      });
      return expect(reply, 204) ?? keep(reply);
    }
  }
}

describe('soak: a minute of mixed traffic on both instances', () => {
  it('has no unexpected errors, and neither server’s memory grows 10% from the first to the last 10 seconds', async () => {
    const users: User[] = [];
    for (let index = 0; index < USERS; index++) {
      const account = await signUp(serverFor(index), 'soak');
      const api = await apiLogin(serverFor(index + 1), account);
      const browser = await browserLogin(serverFor(index), account);
      const jar = { [ACCESS_COOKIE]: browser.access, [REFRESH_COOKIE]: browser.refresh };
      users.push({
        api,
        jar,
        expires: { [ACCESS_COOKIE]: Date.now() + SESSION_ACCESS_TTL_SECONDS * 1000 },
        chirps: [],
      });
    }

    const problems: string[] = [];
    const counts: Record<string, number> = {};
    const started = Date.now();
    const measuredFrom = started + WARM_UP_MS;
    const stopAt = measuredFrom + SOAK_MS;
    let measuredRequests = 0;
    const samples: Sample[] = [];

    const sampler = (async () => {
      while (Date.now() < stopAt) {
        if (Date.now() >= measuredFrom) {
          samples.push({ at: Date.now() - measuredFrom, rss: servers.map((server) => residentBytes(server.pid)) });
        }
        await sleep(1_000);
      }
    })();

    await Promise.all(
      users.map(async (user, userIndex) => {
        let step = userIndex;
        while (Date.now() < stopAt) {
          step += 1;
          const action = pickAction();
          counts[action] = (counts[action] ?? 0) + 1;
          if (Date.now() >= measuredFrom) measuredRequests += 1;
          try {
            const problem = await act(user, action, step);
            if (problem) problems.push(problem);
          } catch (error) {
            problems.push(`${action}: ${String(error)}`);
          }
        }
      }),
    );
    await sampler;

    const first = samples.filter((sample) => sample.at < 10_000);
    const last = samples.filter((sample) => sample.at >= SOAK_MS - 10_000);
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
    const growth = servers.map((_, index) => {
      const before = mean(first.map((sample) => sample.rss[index] ?? 0));
      const after = mean(last.map((sample) => sample.rss[index] ?? 0));
      return after / before - 1;
    });
    const curve = samples
      .filter((_, index) => index % 5 === 0)
      .map(
        (sample) =>
          `${Math.round(sample.at / 1000)}s: ${sample.rss.map((bytes) => `${(bytes / 2 ** 20).toFixed(0)} MB`).join(' / ')}`,
      );
    report(runDir, 'soak detail', {
      measuredSeconds: SOAK_MS / 1000,
      requestsMeasured: measuredRequests,
      requestsIncludingWarmUp: Object.values(counts).reduce((sum, count) => sum + count, 0),
      perAction: counts,
      rssGrowthPercent: growth.map((value) => Number((value * 100).toFixed(1))),
      memoryCurve: curve,
    });
    console.log(`soak memory curve (server a / server b):\n  ${curve.join('\n  ')}`);

    // Soft: each property is reported, whichever of them fails.
    expect.soft(problems.slice(0, 20), `${problems.length} unexpected errors`).toEqual([]);
    expect.soft(measuredRequests, 'requests in the measured minute').toBeGreaterThan(300);
    expect.soft(first.length).toBeGreaterThanOrEqual(5);
    expect.soft(last.length).toBeGreaterThanOrEqual(5);
    for (const [index, value] of growth.entries()) {
      expect.soft(value, `server ${servers[index]?.name}: RSS growth, first to last 10 s`).toBeLessThan(0.1);
    }
  });
});
