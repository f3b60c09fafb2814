import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { z } from 'zod';
import { routeVercelPostgresThrough } from '../../test/neon-config';
import { startTcpRelay, type TcpRelay } from '../../test/tcp-relay';
import { startRelay } from '../../test/ws-relay';
import { isDatabaseUnavailable } from './errors';
import { openNodePostgres } from './node-postgres';
import type { OpenDatabase } from './types';
import { openVercelPostgres } from './vercel-postgres';

/** Server processes that answered `count` queries sent all at once, each holding its connection a while. */
async function connectionsUsed(count: number): Promise<number> {
  const open = await openNodePostgres(inject('adminDatabaseUrl'));
  try {
    const answers = await Promise.all(
      Array.from({ length: count }, () => open.db.execute(sql`select pg_backend_pid() as pid, pg_sleep(0.2)`)),
    );
    const pids = answers.map((answer) => z.object({ rows: z.tuple([z.object({ pid: z.number() })]) }).parse(answer));
    return new Set(pids.map((answer) => answer.rows[0].pid)).size;
  } finally {
    await open.close();
  }
}

describe('the PostgreSQL pool', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('opens at most DATABASE_POOL_MAX connections; further queries wait for one', async () => {
    vi.stubEnv('DATABASE_POOL_MAX', '2');
    expect(await connectionsUsed(6)).toBe(2);
    vi.stubEnv('DATABASE_POOL_MAX', '4');
    expect(await connectionsUsed(6)).toBe(4);
  });

  it('gives up on a server that accepts the connection and never answers after DATABASE_CONNECT_TIMEOUT_MS', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    vi.stubEnv('DATABASE_CONNECT_TIMEOUT_MS', '300');
    const open = await openNodePostgres(`postgres://nobody@127.0.0.1:${port}/none`);
    try {
      const started = Date.now();
      const failure = await open.db.execute(sql`select 1`).then(
        () => null,
        (error: unknown) => error,
      );
      expect(Date.now() - started).toBeLessThan(3_000);
      // The same classification every handler uses: a 503 with Retry-After, not a 500.
      expect(isDatabaseUnavailable(failure)).toBe(true);
    } finally {
      await open.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

/** What a call came to within `ms`: its answer, its rejection, or still nothing. */
async function outcomeWithin(ms: number, work: () => Promise<unknown>) {
  const started = Date.now();
  const outcome = await Promise.race([
    work().then(
      () => ({ kind: 'answered' as const }),
      (error: unknown) => ({ kind: 'failed' as const, error }),
    ),
    sleep(ms).then(() => ({ kind: 'still waiting' as const })),
  ]);
  return { ...outcome, ms: Date.now() - started };
}

/** The call failed, and as the database being unavailable (a 503), not as a bug (a 500). */
function expectUnavailable(outcome: Awaited<ReturnType<typeof outcomeWithin>>): void {
  expect(outcome.kind).toBe('failed');
  expect(outcome.kind === 'failed' && isDatabaseUnavailable(outcome.error)).toBe(true);
}

const QUERY_TIMEOUT_MS = 400;
const SLACK_MS = 1_500;

/**
 * A database that stops answering on a connection already made (a stalled network path, a server
 * frozen mid-query): each driver gives up after DATABASE_QUERY_TIMEOUT_MS with the error every
 * handler answers 503 to, and a connection left waiting is never handed to another query.
 */
describe.each([
  ['pg', (url: string) => openNodePostgres(url)],
  ['@vercel/postgres', (url: string) => openVercelPostgres(url)],
] as const)('DATABASE_QUERY_TIMEOUT_MS on %s', (driver, open) => {
  let relay: TcpRelay;
  let undo: Array<() => Promise<void> | void>;

  async function openThroughRelay(): Promise<OpenDatabase> {
    const direct = new URL(inject('adminDatabaseUrl'));
    relay = await startTcpRelay({ host: '127.0.0.1', port: Number(direct.port || 5432) });
    undo = [() => relay.close()];
    const relayed = new URL(direct);
    relayed.host = `127.0.0.1:${relay.port}`;
    if (driver === '@vercel/postgres') {
      // Its WebSocket goes to a relay of its own, which dials the TCP relay in front of PostgreSQL.
      const webSocketRelay = await startRelay();
      undo.unshift(() => webSocketRelay.close());
      undo.unshift(await routeVercelPostgresThrough(webSocketRelay.address));
      relayed.hostname = 'localhost';
    }
    vi.stubEnv('DATABASE_QUERY_TIMEOUT_MS', String(QUERY_TIMEOUT_MS));
    vi.stubEnv('DATABASE_POOL_MAX', '1');
    const database = await open(relayed.toString());
    undo.unshift(() => database.close().catch(() => {}));
    return database;
  }

  /** Once the relay passes traffic again, the pool answers at once. */
  async function expectAnswersOnceRestored(db: OpenDatabase['db']): Promise<void> {
    relay.restore();
    expect((await outcomeWithin(SLACK_MS, () => db.execute(sql`select 1`))).kind).toBe('answered');
  }

  afterEach(async () => {
    // Connections still waiting on the stalled relay are dropped first, so the pool can close.
    relay.cut();
    for (const step of undo) await step();
  });

  it('a query the server never answers fails as unavailable within the timeout; the next one, once it answers, works', async () => {
    const { db } = await openThroughRelay();
    await db.execute(sql`select 1`);
    relay.stall();

    expectUnavailable(await outcomeWithin(QUERY_TIMEOUT_MS + SLACK_MS, () => db.execute(sql`select 1`)));

    await expectAnswersOnceRestored(db);
  });

  it('a transaction stalled mid-way fails as unavailable, and its connection is not reused', async () => {
    const { db } = await openThroughRelay();
    await db.execute(sql`select 1`);

    const stalled = await outcomeWithin(2 * QUERY_TIMEOUT_MS + SLACK_MS, () =>
      db.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        relay.stall();
        await tx.execute(sql`select 2`);
      }),
    );
    expectUnavailable(stalled);

    // One connection in the pool: had the stalled one gone back, this would wait on it and fail.
    await expectAnswersOnceRestored(db);
  });

  it('the server holds each statement to the same timeout (statement_timeout)', async () => {
    const { db } = await openThroughRelay();
    const shown = z
      .object({ rows: z.tuple([z.object({ statement_timeout: z.string() })]) })
      .parse(await db.execute(sql`show statement_timeout`));
    expect(shown.rows[0].statement_timeout).toBe(`${QUERY_TIMEOUT_MS}ms`);
  });
});
