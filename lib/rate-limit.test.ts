import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { warmConnections } from '@/test/session-helpers';
import { getRateLimit, RATE_LIMIT_RULES } from './config';
import { getDb } from './db/client';
import { authEvents, rateLimits } from './db/schema';
import { clearRateLimit, consumeRateLimit, enforceRateLimit, refundRateLimit } from './rate-limit';

afterEach(() => {
  vi.unstubAllEnvs();
});

const CONTEXT = { ip: '203.0.113.50', userAgent: 'rate limit test' };

/** An environment holding only what a test names (NODE_ENV aside), so the suite's own settings leak nothing in. */
function env(vars: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { NODE_ENV: 'production', ...vars };
}

function limitSignUps(limit: number, windowSeconds = 3600) {
  vi.stubEnv('RATE_LIMIT_SIGNUP_IP_MAX', String(limit));
  vi.stubEnv('RATE_LIMIT_SIGNUP_IP_WINDOW_SECONDS', String(windowSeconds));
}

async function attempts(count: number, subject = '203.0.113.50') {
  const verdicts = [];
  for (let i = 0; i < count; i++) verdicts.push(await consumeRateLimit('signup_ip', subject));
  return verdicts;
}

/** Moves a key's window start `seconds` into the past, as if that much time had gone by. */
async function age(key: string, seconds: number): Promise<void> {
  const db = await getDb();
  await db
    .update(rateLimits)
    .set({ windowStartedAt: sql`${rateLimits.windowStartedAt} - make_interval(secs => ${seconds})` })
    .where(eq(rateLimits.key, key));
}

async function row(key: string) {
  const db = await getDb();
  const [found] = await db.select().from(rateLimits).where(eq(rateLimits.key, key));
  return found;
}

describe('the rate-limit settings', () => {
  it('default to limits that stop guessing and floods, not people', () => {
    expect(Object.fromEntries(RATE_LIMIT_RULES.map((rule) => [rule, getRateLimit(rule, env())]))).toStrictEqual({
      login_ip: { limit: 50, windowSeconds: 900 },
      login_account: { limit: 10, windowSeconds: 900 },
      login_account_failures: { limit: 100, windowSeconds: 3600 },
      signup_ip: { limit: 10, windowSeconds: 3600 },
      bearer_refresh: { limit: 120, windowSeconds: 60 },
      cookie_rotation: { limit: 120, windowSeconds: 60 },
      reset_ip: { limit: 20, windowSeconds: 3600 },
      reset_email: { limit: 3, windowSeconds: 3600 },
      reset_confirm: { limit: 20, windowSeconds: 900 },
      verify_ip: { limit: 20, windowSeconds: 3600 },
      verify_email: { limit: 3, windowSeconds: 3600 },
      verify_confirm: { limit: 20, windowSeconds: 900 },
      second_factor: { limit: 10, windowSeconds: 900 },
      passkey_options: { limit: 300, windowSeconds: 900 },
    });
  });

  it('are read from the environment, and a malformed one stops with its name', async () => {
    expect(
      getRateLimit('login_ip', env({ RATE_LIMIT_LOGIN_IP_MAX: '7', RATE_LIMIT_LOGIN_IP_WINDOW_SECONDS: '30' })),
    ).toEqual({
      limit: 7,
      windowSeconds: 30,
    });
    expect(() => getRateLimit('login_ip', env({ RATE_LIMIT_LOGIN_IP_MAX: 'lots' }))).toThrow(/RATE_LIMIT_LOGIN_IP_MAX/);
    expect(() => getRateLimit('login_ip', env({ RATE_LIMIT_LOGIN_IP_WINDOW_SECONDS: '0' }))).toThrow(
      /RATE_LIMIT_LOGIN_IP_WINDOW_SECONDS/,
    );
  });
});

describe('consumeRateLimit', () => {
  it('lets `limit` attempts through in a window and refuses the next, saying when to come back', async () => {
    limitSignUps(3, 3600);

    const verdicts = await attempts(5);

    expect(verdicts.slice(0, 3)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    for (const verdict of verdicts.slice(3)) {
      expect(verdict.ok).toBe(false);
      if (verdict.ok) continue;
      expect(Number.isInteger(verdict.retryAfterSeconds)).toBe(true);
      expect(verdict.retryAfterSeconds).toBeGreaterThan(3600 - 30);
      expect(verdict.retryAfterSeconds).toBeLessThanOrEqual(3600);
    }
    expect(await row('signup_ip:203.0.113.50')).toMatchObject({ hits: 5 });
  });

  it('counts each subject and each rule on its own', async () => {
    limitSignUps(1);

    expect(await consumeRateLimit('signup_ip', '203.0.113.1')).toEqual({ ok: true });
    expect(await consumeRateLimit('signup_ip', '203.0.113.2')).toEqual({ ok: true });
    expect(await consumeRateLimit('login_ip', '203.0.113.1')).toEqual({ ok: true });
    expect((await consumeRateLimit('signup_ip', '203.0.113.1')).ok).toBe(false);
  });

  it('Retry-After is the whole seconds left in the window', async () => {
    limitSignUps(1, 900);
    await attempts(1);
    await age('signup_ip:203.0.113.50', 600);

    const [verdict] = await attempts(1);

    expect(verdict).toEqual({ ok: false, retryAfterSeconds: expect.any(Number) });
    const seconds = verdict && !verdict.ok ? verdict.retryAfterSeconds : 0;
    expect(seconds).toBeGreaterThan(300 - 30);
    expect(seconds).toBeLessThanOrEqual(300);
  });

  it('forgets: once the window has passed the count starts again at 1', async () => {
    limitSignUps(2, 900);
    await attempts(3);
    await age('signup_ip:203.0.113.50', 900);

    expect(await attempts(3)).toEqual([
      { ok: true },
      { ok: true },
      { ok: false, retryAfterSeconds: expect.any(Number) },
    ]);
    expect(await row('signup_ip:203.0.113.50')).toMatchObject({ hits: 3 });
  });

  it('forgets in real time too: with a 1-second window, a refused client is let in a second later', async () => {
    limitSignUps(1, 1);
    expect(await attempts(2)).toEqual([{ ok: true }, { ok: false, retryAfterSeconds: 1 }]);

    await new Promise((resolve) => setTimeout(resolve, 1100));

    expect(await attempts(1)).toEqual([{ ok: true }]);
  });

  it('holds under concurrency: of 20 parallel attempts against a limit of 7, exactly 7 get through', async () => {
    limitSignUps(7);
    await warmConnections(20);

    const verdicts = await Promise.all(Array.from({ length: 20 }, () => consumeRateLimit('signup_ip', '203.0.113.99')));

    expect(verdicts.filter((verdict) => verdict.ok)).toHaveLength(7);
    expect(await row('signup_ip:203.0.113.99')).toMatchObject({ hits: 20 });
  });

  it('holds under concurrency while the window restarts: exactly the limit of the new window’s attempts pass', async () => {
    limitSignUps(5, 60);
    await attempts(9, '203.0.113.98');
    await age('signup_ip:203.0.113.98', 60);
    await warmConnections(12);

    const verdicts = await Promise.all(Array.from({ length: 12 }, () => consumeRateLimit('signup_ip', '203.0.113.98')));

    expect(verdicts.filter((verdict) => verdict.ok)).toHaveLength(5);
  });
});

describe('enforceRateLimit', () => {
  it('records the first refusal of a window in the audit log, named by its rule, and no later ones', async () => {
    limitSignUps(1);

    for (let i = 0; i < 4; i++) {
      await enforceRateLimit('signup_ip', '203.0.113.50', { userId: null, context: CONTEXT });
    }

    const db = await getDb();
    const events = await db.select().from(authEvents);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'rate_limited',
        detail: 'signup_ip',
        userId: null,
        ip: '203.0.113.50',
        userAgent: 'rate limit test',
      }),
    ]);
  });

  it('answers with the reason and the seconds to wait', async () => {
    limitSignUps(1, 120);
    await enforceRateLimit('signup_ip', 'x', { userId: null, context: CONTEXT });

    expect(await enforceRateLimit('signup_ip', 'x', { userId: null, context: CONTEXT })).toEqual({
      ok: false,
      reason: 'rate_limited',
      retryAfterSeconds: expect.any(Number),
    });
  });

  it('looks the account up only when there is a refusal to record', async () => {
    limitSignUps(1);
    const lookup = vi.fn(async () => null);

    await enforceRateLimit('signup_ip', 'y', { userId: lookup, context: CONTEXT });
    expect(lookup).not.toHaveBeenCalled();
    await enforceRateLimit('signup_ip', 'y', { userId: lookup, context: CONTEXT });
    expect(lookup).toHaveBeenCalledTimes(1);
  });
});

describe('refundRateLimit', () => {
  it('takes one counted attempt back while the window runs, so the limit admits one more', async () => {
    limitSignUps(2);
    await attempts(2);

    await refundRateLimit('signup_ip', '203.0.113.50');

    expect(await row('signup_ip:203.0.113.50')).toMatchObject({ hits: 1 });
    expect(await attempts(2)).toEqual([{ ok: true }, { ok: false, retryAfterSeconds: expect.any(Number) }]);
  });

  it('takes nothing back once an attempt was refused in the window: the refusal stays on record, and audited once', async () => {
    limitSignUps(1);
    await enforceRateLimit('signup_ip', '203.0.113.50', { userId: null, context: CONTEXT });
    await enforceRateLimit('signup_ip', '203.0.113.50', { userId: null, context: CONTEXT });

    await refundRateLimit('signup_ip', '203.0.113.50');
    await enforceRateLimit('signup_ip', '203.0.113.50', { userId: null, context: CONTEXT });

    expect(await row('signup_ip:203.0.113.50')).toMatchObject({ hits: 3 });
    const db = await getDb();
    expect(await db.select().from(authEvents)).toHaveLength(1);
  });

  it('takes nothing back from a window that has passed, and leaves other subjects alone', async () => {
    limitSignUps(5, 60);
    await attempts(2, '203.0.113.1');
    await attempts(2, '203.0.113.2');
    await age('signup_ip:203.0.113.1', 60);

    await refundRateLimit('signup_ip', '203.0.113.1');

    expect(await row('signup_ip:203.0.113.1')).toMatchObject({ hits: 2 });
    expect(await row('signup_ip:203.0.113.2')).toMatchObject({ hits: 2 });
  });
});

describe('clearRateLimit', () => {
  it('forgets one subject under one rule: its next attempt starts a new window', async () => {
    limitSignUps(1);
    await attempts(2, '203.0.113.1');
    await attempts(2, '203.0.113.2');
    await consumeRateLimit('login_ip', '203.0.113.1');

    await clearRateLimit('signup_ip', '203.0.113.1');

    expect(await row('signup_ip:203.0.113.1')).toBeUndefined();
    expect(await row('signup_ip:203.0.113.2')).toMatchObject({ hits: 2 });
    expect(await row('login_ip:203.0.113.1')).toMatchObject({ hits: 1 });
    expect(await attempts(1, '203.0.113.1')).toEqual([{ ok: true }]);
  });
});

describe('the counters’ table', () => {
  it('is unlogged: counting a hit waits for no write-ahead log flush', async () => {
    const db = await getDb();
    const result = await db.execute(sql`select relpersistence from pg_class where relname = 'rate_limits'`);
    expect(result).toMatchObject({ rows: [{ relpersistence: 'u' }] });
  });
});
