import { eq } from 'drizzle-orm';
import { generate } from 'otplib';
import { confirmTotpEnrolment, readSecondFactorStatus, startTotpEnrolment } from '@/lib/auth/second-factor';
import { TOTP_PERIOD_SECONDS } from '@/lib/auth/totp';
import { getDb } from '@/lib/db/client';
import { users } from '@/lib/db/schema';
import type { RequestContext } from '@/lib/http/request-context';

/** Second factors as the tests enrol and use them: codes computed from the key, at a set time. */

export const TEST_CONTEXT: RequestContext = { ip: '198.51.100.7', userAgent: 'Mozilla/5.0 (second factor test)' };

/** A fixed instant at the start of a 30-second step, so ±1 step is exactly ±30 s. */
export const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
export const STEP_MS = TOTP_PERIOD_SECONDS * 1000;

/** The app's code for `secret` at `atMs`. */
export function codeAt(secret: string, atMs: number): Promise<string> {
  return generate({ secret, epoch: Math.floor(atMs / 1000) });
}

async function account(userId: string) {
  const db = await getDb();
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) throw new Error('no such user');
  return user;
}

/** The key the account page shows while enrolling. */
export async function pendingKey(userId: string): Promise<string> {
  const status = await readSecondFactorStatus(await account(userId));
  if (status.state !== 'pending') throw new Error(`expected a pending enrolment, found ${status.state}`);
  return status.key;
}

export type Enrolled = { secret: string; recoveryCodes: string[] };

/** Turns the account's authenticator app on with a code at `atMs` (that step is then used up). */
export async function enrolTotp(userId: string, atMs = T0 - 10 * STEP_MS): Promise<Enrolled> {
  const started = await startTotpEnrolment(userId);
  if (!started.ok) throw new Error('enrolment refused');
  const secret = await pendingKey(userId);
  const confirmed = await confirmTotpEnrolment(userId, await codeAt(secret, atMs), TEST_CONTEXT, atMs);
  if (!confirmed.ok) throw new Error(`confirmation refused: ${confirmed.reason}`);
  return { secret, recoveryCodes: confirmed.recoveryCodes };
}
