import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GET as healthz } from '../../app/api/healthz/route';
import { POST as createUser } from '../../app/api/users/route';
import { PASSWORD } from '../../test/fixtures';
import { makeRequest } from '../../test/http';
import { routeVercelPostgresThrough } from '../../test/neon-config';
import { startRelay } from '../../test/ws-relay';
import { swapDatabase } from './client';
import { isDatabaseUnavailable } from './errors';
import { openVercelPostgres } from './vercel-postgres';

/**
 * The @vercel/postgres path with its WebSocket relay gone (what a Neon outage looks like from a
 * function): every call fails within moments, is classified as "database unavailable", and no
 * other driver answers in its place. Runs the same under every test database mode.
 */

const URL_THROUGH_RELAY = 'postgres://postgres@localhost:5432/test';
const FAST_MS = 5_000;

let relayPort: number;
let undoRouting: (() => void) | undefined;

beforeEach(async () => {
  const relay = await startRelay();
  await relay.close();
  relayPort = Number(relay.address.split(':').pop());
  undoRouting = await routeVercelPostgresThrough(relay.address);
});

afterEach(() => {
  undoRouting?.();
  undoRouting = undefined;
});

async function rejectionOf(work: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await work();
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
  throw new Error('the database call succeeded with its relay down');
}

/**
 * The socket's own error inside what the driver rejected with: Drizzle's `cause`, then the
 * WebSocket's ErrorEvent, whose `error` it is.
 */
function socketError(rejection: unknown): unknown {
  let current = rejection;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    if (current instanceof Error && 'code' in current) return current;
    current = 'cause' in current ? current.cause : 'error' in current ? current.error : undefined;
  }
  return undefined;
}

// The refused connection names the dead relay's port. Had the routing reached a different copy of
// @neondatabase/serverless than the one @vercel/postgres uses, the driver would have dialled
// wss://localhost (port 443) or a Neon host instead.
function expectRefusedByDeadRelay(error: unknown): void {
  expect(socketError(error)).toMatchObject({ code: 'ECONNREFUSED', port: relayPort });
  expect(isDatabaseUnavailable(error)).toBe(true);
}

describe('@vercel/postgres with its relay down', () => {
  it('rejects a query fast, as unavailable, at the address it was routed to', async () => {
    const open = await openVercelPostgres(URL_THROUGH_RELAY);
    try {
      const { error, ms } = await rejectionOf(() => open.db.execute(sql`select 1`));
      expect(ms).toBeLessThan(FAST_MS);
      expectRefusedByDeadRelay(error);
    } finally {
      await open.close();
    }
  });

  it('rejects a transaction the same way (the driver rejects it with an ErrorEvent, not an Error)', async () => {
    const open = await openVercelPostgres(URL_THROUGH_RELAY);
    try {
      const { error, ms } = await rejectionOf(() => open.db.transaction((tx) => tx.execute(sql`select 1`)));
      expect(ms).toBeLessThan(FAST_MS);
      expectRefusedByDeadRelay(error);
    } finally {
      await open.close();
    }
  });
});

describe('routes on Vercel with the database down', () => {
  const logged = vi.fn();
  let saved: Record<'VERCEL' | 'POSTGRES_URL', string | undefined>;

  // The process's database is opened from the environment, as on Vercel. DATABASE_URL is left
  // as the suite set it (a live database under pg), so any fallback would answer 200/201.
  beforeEach(() => {
    saved = { VERCEL: process.env.VERCEL, POSTGRES_URL: process.env.POSTGRES_URL };
    process.env.VERCEL = '1';
    process.env.POSTGRES_URL = URL_THROUGH_RELAY;
    vi.spyOn(console, 'error').mockImplementation(logged);
  });

  afterEach(() => {
    vi.restoreAllMocks();
    logged.mockReset();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  async function withDatabaseFromEnvironment(work: () => Promise<void>): Promise<void> {
    const previous = swapDatabase(undefined);
    try {
      await work();
    } finally {
      const opened = swapDatabase(previous);
      await (await opened)?.close();
    }
  }

  it('GET /api/healthz answers 503', async () => {
    await withDatabaseFromEnvironment(async () => {
      const response = await healthz(makeRequest('GET', '/api/healthz'));
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ error: 'Service unavailable: the database is not answering' });
    });
  });

  it('POST /api/users answers 503 with an error body that gives nothing away', async () => {
    const email = 'outage@example.com';
    await withDatabaseFromEnvironment(async () => {
      const response = await createUser(makeRequest('POST', '/api/users', { json: { email, password: PASSWORD } }));
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toContain('application/json');
      // Exactly this: no stack, no SQL, no driver message.
      expect(await response.json()).toEqual({ error: 'Service unavailable: the database is not answering' });
    });
    const logs = logged.mock.calls.flat().map(String).join('\n');
    expect(logs).toContain('POST /api/users: database unavailable');
    expect(logs).not.toContain(email);
    expect(logs).not.toContain(PASSWORD);
  });
});
