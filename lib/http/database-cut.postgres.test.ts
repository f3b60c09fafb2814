import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { GET as getMe } from '@/app/api/me/route';
import { proxy } from '@/proxy';
import { apiSession, browserSession } from '@/test/fixtures';
import { jsonOf, makeRequest, setCookies } from '@/test/http';
import { passedThrough, tokenRow } from '@/test/session-helpers';
import { startTcpRelay, type TcpRelay } from '@/test/tcp-relay';
import { swapDatabase } from '../db/client';
import { openNodePostgres } from '../db/node-postgres';

/**
 * The database going away in the middle of a query (a network cut, a failover), on real
 * PostgreSQL through a relay the test controls. Runs with DATABASE_URL (CI's PostgreSQL step).
 */

let relay: TcpRelay;
let previous: ReturnType<typeof swapDatabase>;
let logged: string[];

beforeEach(async () => {
  const direct = new URL(inject('databaseUrl'));
  relay = await startTcpRelay({ host: '127.0.0.1', port: Number(direct.port || 5432) });
  const relayed = new URL(direct);
  relayed.host = `127.0.0.1:${relay.port}`;
  previous = swapDatabase(openNodePostgres(relayed.toString()));
  logged = [];
  vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => {
    logged.push(parts.map(String).join(' '));
  });
});

afterEach(async () => {
  vi.restoreAllMocks();
  const relayed = swapDatabase(previous);
  await (await relayed)?.close();
  await relay.close();
});

/** Starts `request`, lets its query reach the relay, then cuts the connection under it. */
async function cutDuring<T>(request: () => Promise<T>): Promise<T> {
  relay.stall();
  const pending = request();
  await new Promise((resolve) => setTimeout(resolve, 150));
  relay.cut();
  return pending;
}

describe('the database connection dropped mid-query', () => {
  it('answers 503 with a retry hint, not 500, and works again once the database is back', async () => {
    const session = await apiSession();
    const ask = () => getMe(makeRequest('GET', '/api/me', { bearer: session.token }));

    const during = await cutDuring(ask);
    expect(during.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await jsonOf(during)).toEqual({ status: 503, body: { error: expect.any(String) } });
    expect(logged.join('\n')).toMatch(/database unavailable \(Connection terminated/);
    expect(logged.join('\n')).not.toContain(' at ');

    relay.restore();
    expect((await ask()).status).toBe(200);
  });

  it('signs no browser out: a page renewal cut mid-statement is a 503 and the refresh cookie still works after', async () => {
    const session = await browserSession();
    const renew = () => proxy(makeRequest('GET', '/', { cookies: { chirpy_refresh: session.refresh } }));

    const during = await cutDuring(renew);
    expect(during.status).toBe(503);
    expect(during.headers.getSetCookie()).toEqual([]);
    expect((await tokenRow(session.refresh).catch(() => null))?.revokedAt ?? null).toBeNull();

    relay.restore();
    expect((await tokenRow(session.refresh)).revokedAt).toBeNull();
    const after = await renew();
    expect(passedThrough(after)).toBe(true);
    expect(setCookies(after).get('chirpy_access')?.value).toBeTruthy();
  });

  it("signs no browser out: an API call's renewal cut mid-statement is a 503 JSON and the cookie still works after", async () => {
    const session = await browserSession();
    const renew = () => getMe(makeRequest('GET', '/api/me', { cookies: { chirpy_refresh: session.refresh } }));

    const during = await cutDuring(renew);
    expect(await jsonOf(during)).toEqual({ status: 503, body: { error: expect.any(String) } });
    expect(during.headers.getSetCookie()).toEqual([]);

    relay.restore();
    expect((await tokenRow(session.refresh)).revokedAt).toBeNull();
    const after = await renew();
    expect(after.status).toBe(200);
    expect(setCookies(after).get('chirpy_access')?.value).toBeTruthy();
  });

  it('loses no pooled connection to cuts: after more cuts than the pool holds, renewals still work', async () => {
    const session = await browserSession();
    const renew = () => proxy(makeRequest('GET', '/', { cookies: { chirpy_refresh: session.refresh } }));

    for (let cut = 0; cut < 12; cut++) {
      expect((await cutDuring(renew)).status).toBe(503);
      relay.restore();
    }
    const started = Date.now();
    expect(passedThrough(await renew())).toBe(true);
    // A leaked pool would make this wait for connectionTimeoutMillis (5 s) and then fail.
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
