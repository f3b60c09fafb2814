import { createHash, createHmac } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { getDb } from '@/lib/db/client';
import { rateLimits } from '@/lib/db/schema';
import { fromAddress, makeRequest } from '@/test/http';
import { APP_URL } from '@/test/password-reset';
import { serve } from '@/test/request-scope';
import { POST } from './route';

// fromAddress plays a client on a bare server; the Vercel run of the suite sets VERCEL.
beforeEach(() => {
  vi.stubEnv('TRUST_PROXY', 'none');
  // Outside `next dev` the links' origin is a setting, as in production.
  vi.stubEnv('APP_URL', APP_URL);
});

async function ask(email: string, address: string): Promise<number> {
  const served = await serve(() =>
    POST(makeRequest('POST', '/api/password-reset', { json: { email }, headers: fromAddress(address) })),
  );
  return served.value?.status ?? 0;
}

async function keysOf(rule: string): Promise<string[]> {
  const db = await getDb();
  const rows = await db.select({ key: rateLimits.key }).from(rateLimits);
  return rows.map((row) => row.key).filter((key) => key.startsWith(`${rule}:`));
}

describe('the per-email reset limit keys the address, not its spelling', () => {
  it('counts "  Ada@Example.COM ", fullwidth ａｄａ@ｅｘａｍｐｌｅ.ｃｏｍ and ada@example.com as one address', async () => {
    vi.stubEnv('RATE_LIMIT_RESET_EMAIL_MAX', '2');

    expect(await ask('  Ada@Example.COM ', '203.0.113.1')).toBe(202);
    expect(await ask('ａｄａ@ｅｘａｍｐｌｅ.ｃｏｍ', '203.0.113.2')).toBe(202);
    expect(await ask('ada@example.com', '203.0.113.3')).toBe(429);

    expect(await keysOf('reset_email')).toHaveLength(1);
  });

  it('stores a keyed hash (HMAC under a key derived from JWT_SECRET), not a SHA-256 anyone can recompute', async () => {
    expect(await ask('ada@example.com', '203.0.113.1')).toBe(202);

    const [key] = await keysOf('reset_email');
    const digest = key?.slice('reset_email:'.length);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).not.toBe(createHash('sha256').update('ada@example.com').digest('hex'));
    const secret = process.env.JWT_SECRET ?? '';
    const derived = createHmac('sha256', secret).update('chirpy rate-limit keys').digest();
    expect(digest).toBe(createHmac('sha256', derived).update('ada@example.com').digest('hex'));
  });

  it('another JWT_SECRET gives other keys: a rotation starts the counts afresh', async () => {
    vi.stubEnv('RATE_LIMIT_RESET_EMAIL_MAX', '1');
    expect(await ask('ada@example.com', '203.0.113.1')).toBe(202);
    expect(await ask('ada@example.com', '203.0.113.2')).toBe(429);

    vi.stubEnv('JWT_SECRET', 'a-rotated-secret-that-is-at-least-32-characters');

    expect(await ask('ada@example.com', '203.0.113.3')).toBe(202);
  });
});
