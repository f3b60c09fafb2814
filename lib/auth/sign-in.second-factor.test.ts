import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { changePasswordWith } from '@/test/account-changes';
import { PASSWORD, refreshTokenRows, signUp, type TestUser } from '@/test/fixtures';
import { mailCatcherForThisFile, mailedToken } from '@/test/password-reset';
import { limit } from '@/test/rate-limits';
import { codeAt, type Enrolled, enrolTotp, STEP_MS, T0, TEST_CONTEXT } from '@/test/second-factor';
import { getDb } from '../db/client';
import { authEvents, signInChallenges, users } from '../db/schema';
import { findSessionUser } from './session-check';
import { completeSecondFactor, resetPasswordAndSignIn, signIn } from './sign-in';
import { CHALLENGE_TTL_SECONDS } from './sign-in-challenges';

/**
 * Signing in to an account with an authenticator app: the password gives a pending step, never a
 * session, and the code finishes it. The clock is set (only Date is faked; the database's timers
 * run), so expiry and the code's time steps are exact.
 */

const { catcher } = mailCatcherForThisFile();

let user: TestUser;
let enrolled: Enrolled;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  user = await signUp();
  enrolled = await enrolTotp(user.id);
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

async function passwordStep(client: 'bearer' | 'browser' = 'bearer'): Promise<string> {
  const first = await signIn({ email: user.email, password: PASSWORD }, client, TEST_CONTEXT);
  if (first.ok || first.reason !== 'second_factor_required')
    throw new Error('expected the second factor to be asked for');
  return first.challenge.id;
}

const codeNow = () => codeAt(enrolled.secret, Date.now());

async function challengeRows() {
  const db = await getDb();
  return db.select().from(signInChallenges).where(eq(signInChallenges.userId, user.id));
}

describe('the password step', () => {
  it('gives no session, only a 5-minute pending step whose id is stored as its SHA-256', async () => {
    const first = await signIn({ email: user.email, password: PASSWORD }, 'bearer', TEST_CONTEXT);

    expect(first).toEqual({
      ok: false,
      reason: 'second_factor_required',
      challenge: { id: expect.stringMatching(/^[\w-]{43}$/), expiresAt: new Date(T0 + CHALLENGE_TTL_SECONDS * 1000) },
    });
    expect(await refreshTokenRows(user.id)).toEqual([]);
    const rows = await challengeRows();
    expect(rows).toEqual([expect.objectContaining({ client: 'bearer', attempts: 0, usedAt: null })]);
    expect(rows[0]?.challengeHash).toMatch(/^[0-9a-f]{64}$/);
    if (first.ok || first.reason !== 'second_factor_required') throw new Error('expected a pending step');
    expect(JSON.stringify(rows)).not.toContain(first.challenge.id);
  });

  it('a wrong password is still just a wrong password: no pending step', async () => {
    expect(await signIn({ email: user.email, password: 'wrong password' }, 'bearer', TEST_CONTEXT)).toEqual({
      ok: false,
      reason: 'credentials',
    });
    expect(await challengeRows()).toEqual([]);
  });
});

describe('completeSecondFactor', () => {
  it('a right code starts the session the sign-in asked for; the step is then used up', async () => {
    const id = await passwordStep('bearer');

    const done = await completeSecondFactor(id, await codeNow(), 'bearer', TEST_CONTEXT);

    if (!done.ok) throw new Error(`expected a session, got ${done.reason}`);
    expect(await findSessionUser(done.sessionId, user.id, 'bearer')).toMatchObject({ id: user.id });
    vi.setSystemTime(T0 + STEP_MS);
    expect(await completeSecondFactor(id, await codeNow(), 'bearer', TEST_CONTEXT)).toEqual({
      ok: false,
      reason: 'challenge_invalid',
    });
  });

  it('a recovery code finishes it too, once', async () => {
    const [code] = enrolled.recoveryCodes;

    expect(await completeSecondFactor(await passwordStep(), code ?? '', 'bearer', TEST_CONTEXT)).toMatchObject({
      ok: true,
    });
    expect(await completeSecondFactor(await passwordStep(), code ?? '', 'bearer', TEST_CONTEXT)).toEqual({
      ok: false,
      reason: 'wrong_code',
    });
  });

  it('a code that signed in once does not sign in again (its time step is spent)', async () => {
    const code = await codeNow();
    expect(await completeSecondFactor(await passwordStep(), code, 'bearer', TEST_CONTEXT)).toMatchObject({ ok: true });

    expect(await completeSecondFactor(await passwordStep(), code, 'bearer', TEST_CONTEXT)).toEqual({
      ok: false,
      reason: 'wrong_code',
    });
  });

  it('expires 5 minutes after the password step', async () => {
    const id = await passwordStep();
    vi.setSystemTime(T0 + CHALLENGE_TTL_SECONDS * 1000);

    expect(await completeSecondFactor(id, await codeNow(), 'bearer', TEST_CONTEXT)).toEqual({
      ok: false,
      reason: 'challenge_invalid',
    });
  });

  it('takes 5 tries: after 5 wrong codes even the right one is refused, and each wrong one is recorded', async () => {
    const id = await passwordStep();
    for (let i = 0; i < 5; i += 1) {
      expect(await completeSecondFactor(id, `00000${i}`, 'bearer', TEST_CONTEXT)).toEqual({
        ok: false,
        reason: 'wrong_code',
      });
    }

    expect(await completeSecondFactor(id, await codeNow(), 'bearer', TEST_CONTEXT)).toEqual({
      ok: false,
      reason: 'challenge_invalid',
    });
    const db = await getDb();
    const failures = await db.select().from(authEvents).where(eq(authEvents.detail, 'second_factor'));
    expect(failures).toHaveLength(5);
    expect(await refreshTokenRows(user.id)).toEqual([]);
  });

  it("holds wrong codes over many pending steps to the account's second_factor limit", async () => {
    limit('SECOND_FACTOR', 3);
    for (let i = 0; i < 3; i += 1) {
      expect(await completeSecondFactor(await passwordStep(), '000000', 'bearer', TEST_CONTEXT)).toMatchObject({
        reason: 'wrong_code',
      });
    }

    expect(await completeSecondFactor(await passwordStep(), await codeNow(), 'bearer', TEST_CONTEXT)).toMatchObject({
      ok: false,
      reason: 'rate_limited',
    });
  });

  it("refuses a browser's step from an API client and the other way round", async () => {
    const browserStep = await passwordStep('browser');

    expect(await completeSecondFactor(browserStep, await codeNow(), 'bearer', TEST_CONTEXT)).toEqual({
      ok: false,
      reason: 'challenge_invalid',
    });
    expect(await completeSecondFactor(browserStep, await codeNow(), 'browser', TEST_CONTEXT)).toMatchObject({
      ok: true,
    });
  });

  it('refuses unknown and malformed challenge ids', async () => {
    for (const id of ['', 'x', 'A'.repeat(43), `${'A'.repeat(43)}=`]) {
      expect(await completeSecondFactor(id, await codeNow(), 'bearer', TEST_CONTEXT)).toEqual({
        ok: false,
        reason: 'challenge_invalid',
      });
    }
  });

  it('voids the step when the password changed meanwhile', async () => {
    const id = await passwordStep();
    await changePasswordWith(user.id, PASSWORD, 'a brand new passphrase', null, TEST_CONTEXT);

    expect(await completeSecondFactor(id, await codeNow(), 'bearer', TEST_CONTEXT)).toEqual({
      ok: false,
      reason: 'challenge_invalid',
    });
  });
});

describe('mail and password resets', () => {
  it('mails the owner when a recovery code is used, without the code', async () => {
    const [code] = enrolled.recoveryCodes;
    await completeSecondFactor(await passwordStep(), code ?? '', 'bearer', TEST_CONTEXT);

    const mail = await catcher().mail(0);
    expect(mail.to).toEqual([user.email]);
    expect(mail.subject).toMatch(/recovery code was used/);
    expect(`${mail.text}${mail.html}`).not.toContain(code);
  });

  it('a password reset does not skip the second factor', async () => {
    vi.useRealTimers();
    const token = await mailedToken(catcher(), user.email, TEST_CONTEXT);

    const reset = await resetPasswordAndSignIn(token, 'a brand new passphrase', TEST_CONTEXT);

    expect(reset).toMatchObject({ ok: false, reason: 'second_factor_required', challenge: { id: expect.any(String) } });
    expect(await refreshTokenRows(user.id)).toEqual([]);
  });
});

describe('with REQUIRE_EMAIL_VERIFICATION=true', () => {
  it('an unconfirmed address is refused before the code is asked for, after a reset or a password; a confirmed one is asked for it', async () => {
    vi.useRealTimers();
    vi.stubEnv('REQUIRE_EMAIL_VERIFICATION', 'true');
    const token = await mailedToken(catcher(), user.email, TEST_CONTEXT);

    expect(await resetPasswordAndSignIn(token, 'a brand new passphrase', TEST_CONTEXT)).toEqual({
      ok: false,
      reason: 'email_unverified',
    });
    const credentials = { email: user.email, password: 'a brand new passphrase' };
    expect(await signIn(credentials, 'bearer', TEST_CONTEXT)).toEqual({ ok: false, reason: 'email_unverified' });
    expect(await challengeRows()).toEqual([]);
    expect(await refreshTokenRows(user.id)).toEqual([]);

    const db = await getDb();
    await db.update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.id, user.id));
    expect(await signIn(credentials, 'bearer', TEST_CONTEXT)).toMatchObject({
      ok: false,
      reason: 'second_factor_required',
    });
    expect(await refreshTokenRows(user.id)).toEqual([]);
  });
});
