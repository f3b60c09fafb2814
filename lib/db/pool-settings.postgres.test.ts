import { createServer, type Server, type Socket } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { z } from 'zod';
import { isDatabaseUnavailable } from './errors';
import { openNodePostgres } from './node-postgres';

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
