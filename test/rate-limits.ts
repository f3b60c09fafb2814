import { vi } from 'vitest';
import { getDb } from '@/lib/db/client';
import { rateLimits } from '@/lib/db/schema';
import type { RequestContext } from '@/lib/http/request-context';

/** The rate limits as the flows' tests set and read them. */

/** The two sides of a limit: someone guessing from one address, and the owner at home. */
export const ATTACKER: RequestContext = { ip: '203.0.113.66', userAgent: 'guesser/1.0' };
export const OWNER: RequestContext = { ip: '198.51.100.10', userAgent: 'Mozilla/5.0 (owner)' };

type Rule = 'LOGIN_IP' | 'LOGIN_ACCOUNT' | 'REFRESH' | 'ROTATION' | 'SECOND_FACTOR';

export function limit(rule: Rule, max: number, windowSeconds = 900): void {
  vi.stubEnv(`RATE_LIMIT_${rule}_MAX`, String(max));
  vi.stubEnv(`RATE_LIMIT_${rule}_WINDOW_SECONDS`, String(windowSeconds));
}

/** The rate-limit keys of one rule (the fixtures' sign-ups count under signup_ip). */
export async function rateLimitKeys(rule: string): Promise<string[]> {
  const db = await getDb();
  const keys = (await db.select({ key: rateLimits.key }).from(rateLimits)).map((row) => row.key);
  return keys.filter((key) => key.startsWith(`${rule}:`));
}

/** Lets every rate-limit window of this test end, as if its whole length had gone by. */
export async function endWindows(): Promise<void> {
  const db = await getDb();
  await db.update(rateLimits).set({ windowStartedAt: new Date(Date.now() - 24 * 60 * 60 * 1000) });
}
