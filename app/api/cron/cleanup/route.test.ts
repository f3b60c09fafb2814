import { describe, expect, it, vi } from 'vitest';
import { getDb } from '@/lib/db/client';
import { rateLimits } from '@/lib/db/schema';
import { expectError, jsonOf, makeRequest } from '@/test/http';
import { GET } from './route';

const SECRET = 'cron-secret-for-tests-0123456789';

function cron(authorization?: string) {
  return GET(makeRequest('GET', '/api/cron/cleanup', { headers: authorization ? { authorization } : {} }));
}

describe('GET /api/cron/cleanup', () => {
  it('runs the cleanup for Bearer $CRON_SECRET and answers with what it deleted', async () => {
    vi.stubEnv('CRON_SECRET', SECRET);
    const db = await getDb();
    await db.insert(rateLimits).values({ key: 'old', windowStartedAt: new Date(Date.now() - 2 * 86_400_000), hits: 1 });

    const { status, body } = await jsonOf(await cron(`Bearer ${SECRET}`));

    expect(status).toBe(200);
    expect(body).toEqual({
      refresh_tokens: 0,
      password_reset_tokens: 0,
      email_tokens: 0,
      sign_in_challenges: 0,
      webauthn_challenges: 0,
      rate_limits: 1,
      auth_events: 0,
      batches: 7,
      duration_ms: expect.any(Number),
    });
    expect(await db.select().from(rateLimits)).toEqual([]);
  });

  it.each([
    ['no Authorization header', undefined],
    ['a wrong secret', 'Bearer not-the-secret'],
    ['the secret under another scheme', `Basic ${SECRET}`],
  ])('answers 401 to %s and deletes nothing', async (_label, authorization) => {
    vi.stubEnv('CRON_SECRET', SECRET);
    const db = await getDb();
    await db.insert(rateLimits).values({ key: 'old', windowStartedAt: new Date(0), hits: 1 });
    await expectError(await cron(authorization), 401);
    expect(await db.select().from(rateLimits)).toHaveLength(1);
  });

  it('answers 401 to everyone while CRON_SECRET is unset', async () => {
    vi.stubEnv('CRON_SECRET', '');
    await expectError(await cron('Bearer '), 401);
    await expectError(await cron('Bearer undefined'), 401);
  });
});
