import bcrypt from 'bcrypt';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { changePasswordWith } from '@/test/account-changes';
import { PASSWORD, refreshTokenRows, rowCounts, signUp, type TestUser, uniqueEmail, userRow } from '@/test/fixtures';
import { ATTACKER, endWindows, limit, OWNER, rateLimitKeys } from '@/test/rate-limits';
import { enrolTotp } from '@/test/second-factor';
import { accessTokenClaims, sessionRows, tokenRow } from '@/test/session-helpers';
import { getDb } from '../db/client';
import { authEvents } from '../db/schema';
import { findSessionUser } from './session-check';
import { completeSignIn, nextSignInStep, signIn, signUp as signUpAndIn } from './sign-in';
import { verifyAccessToken } from './tokens';

const CONTEXT = { ip: '198.51.100.4', userAgent: 'Mozilla/5.0 (sign-in test)' };

let user: TestUser;

beforeEach(async () => {
  vi.restoreAllMocks();
  user = await signUp();
});

async function events() {
  const db = await getDb();
  return db.select().from(authEvents).orderBy(authEvents.id);
}

describe('signIn', () => {
  it('starts a session and records signed_in with its id, address and user agent', async () => {
    const session = await signIn({ email: user.email, password: PASSWORD }, 'bearer', OWNER);

    if (!session.ok) throw new Error('expected a session');
    expect(await verifyAccessToken(session.tokens.access.value, 'bearer')).toEqual({
      ok: true,
      userId: user.id,
      sessionId: session.sessionId,
    });
    expect(await events()).toContainEqual(
      expect.objectContaining({
        type: 'signed_in',
        userId: user.id,
        sessionId: session.sessionId,
        ip: OWNER.ip,
        userAgent: OWNER.userAgent,
      }),
    );
  });

  it('records a failed sign-in against the account when it exists, against nobody when it does not, never the password', async () => {
    expect(await signIn({ email: user.email, password: 'wrong guess 1' }, 'bearer', ATTACKER)).toEqual({
      ok: false,
      reason: 'credentials',
    });
    expect(await signIn({ email: 'nobody@example.com', password: 'wrong guess 2' }, 'bearer', ATTACKER)).toEqual({
      ok: false,
      reason: 'credentials',
    });

    const failures = (await events()).filter((event) => event.type === 'sign_in_failed');
    expect(failures).toEqual([
      expect.objectContaining({ userId: user.id, sessionId: null, ip: ATTACKER.ip, userAgent: ATTACKER.userAgent }),
      expect.objectContaining({ userId: null, sessionId: null, ip: ATTACKER.ip }),
    ]);
    expect(JSON.stringify(await events())).not.toMatch(/wrong guess/);
  });

  it('per account and address: once the limit is spent even the right password is refused, before any bcrypt work', async () => {
    limit('LOGIN_ACCOUNT', 3);
    for (let i = 0; i < 3; i++) await signIn({ email: user.email, password: `guess ${i}` }, 'bearer', ATTACKER);
    const compare = vi.spyOn(bcrypt, 'compare');

    const refused = await signIn({ email: user.email, password: PASSWORD }, 'bearer', ATTACKER);

    expect(refused).toEqual({ ok: false, reason: 'rate_limited', retryAfterSeconds: expect.any(Number) });
    expect(compare).not.toHaveBeenCalled();
    expect((await sessionRows(user.id)).length).toBe(0);
  });

  it('the guesser cannot lock the owner out: the owner signs in from their own address meanwhile', async () => {
    limit('LOGIN_ACCOUNT', 3);
    for (let i = 0; i < 5; i++) await signIn({ email: user.email, password: `guess ${i}` }, 'bearer', ATTACKER);

    expect(await signIn({ email: user.email, password: PASSWORD }, 'browser', OWNER)).toMatchObject({ ok: true });
  });

  it('per address: an attacker spraying many accounts is stopped before any one account reaches its own limit', async () => {
    limit('LOGIN_IP', 5);
    limit('LOGIN_ACCOUNT', 3);
    const victims = [user, ...(await Promise.all(Array.from({ length: 5 }, () => signUp())))];

    const results = [];
    for (const victim of victims) {
      results.push(await signIn({ email: victim.email, password: 'password1' }, 'bearer', ATTACKER));
    }

    expect(results.slice(0, 5).every((result) => !result.ok && result.reason === 'credentials')).toBe(true);
    expect(results[5]).toEqual({ ok: false, reason: 'rate_limited', retryAfterSeconds: expect.any(Number) });
    // Each victim was tried once, far below the account limit of 3, and can still sign in from home.
    expect(await signIn({ email: user.email, password: PASSWORD }, 'bearer', OWNER)).toMatchObject({ ok: true });
  });

  it('records the first refusal against the account (rule login_account), and lets the owner in again once the window passed', async () => {
    limit('LOGIN_ACCOUNT', 2);
    for (let i = 0; i < 4; i++) await signIn({ email: user.email, password: `guess ${i}` }, 'bearer', OWNER);

    const limited = (await events()).filter((event) => event.type === 'rate_limited');
    expect(limited).toEqual([
      expect.objectContaining({ userId: user.id, detail: 'login_account', ip: OWNER.ip, userAgent: OWNER.userAgent }),
    ]);
    // The key names neither the email nor the address in the clear.
    const keys = await rateLimitKeys('login_account');
    expect(keys).toHaveLength(1);
    for (const key of keys) expect(key).not.toContain(user.email);

    await endWindows();
    expect(await signIn({ email: user.email, password: PASSWORD }, 'bearer', OWNER)).toMatchObject({ ok: true });
  });

  it('records an address-limit refusal against nobody, named login_ip', async () => {
    limit('LOGIN_IP', 1);
    await signIn({ email: user.email, password: 'guess' }, 'bearer', ATTACKER);
    await signIn({ email: user.email, password: 'guess' }, 'bearer', ATTACKER);

    expect((await events()).filter((event) => event.type === 'rate_limited')).toEqual([
      expect.objectContaining({ userId: null, detail: 'login_ip', ip: ATTACKER.ip }),
    ]);
  });
});

describe('signIn for a browser', () => {
  it('starts a browser session: an access token naming it, a refresh token stored as a hash with where it came from', async () => {
    const session = await signIn({ email: user.email, password: user.password }, 'browser', CONTEXT);

    if (!session.ok) throw new Error('expected the sign-in to succeed');
    expect(session.user.id).toBe(user.id);
    expect(await verifyAccessToken(session.tokens.access.value, 'browser')).toEqual({
      ok: true,
      userId: user.id,
      sessionId: session.sessionId,
    });
    expect(accessTokenClaims(session.tokens.access.value).sid).toBe(session.sessionId);
    expect(await tokenRow(session.tokens.refresh.value)).toMatchObject({
      userId: user.id,
      client: 'browser',
      sessionId: session.sessionId,
      revokedAt: null,
      userAgent: CONTEXT.userAgent,
      ip: CONTEXT.ip,
    });
  });

  it('refuses a wrong password and an unknown email alike, starting no session', async () => {
    const wrong = await signIn({ email: user.email, password: 'wrong password' }, 'browser', CONTEXT);
    const unknown = await signIn({ email: 'nobody@example.com', password: PASSWORD }, 'browser', CONTEXT);

    expect(wrong).toMatchObject({ ok: false });
    expect(unknown).toEqual(wrong);
    expect((await rowCounts()).refreshTokens).toBe(0);
  });
});

describe('signUp', () => {
  it('creates the account and signs it in with a browser session', async () => {
    const email = uniqueEmail();

    const created = await signUpAndIn({ email, password: PASSWORD }, 'browser', CONTEXT);

    if (!created.ok) throw new Error('expected the sign-up to succeed');
    expect(created.user.email).toBe(email);
    expect(await tokenRow(created.tokens.refresh.value)).toMatchObject({
      userId: created.user.id,
      client: 'browser',
      sessionId: created.sessionId,
      userAgent: CONTEXT.userAgent,
    });
    expect(await findSessionUser(created.sessionId, created.user.id)).toMatchObject({ id: created.user.id, email });
  });

  it('refuses a taken email (in any case): no second account, no session', async () => {
    const again = await signUpAndIn({ email: user.email, password: 'another password' }, 'browser', CONTEXT);

    expect(again).toEqual({ ok: false, reason: 'email_taken' });
    expect(await rowCounts()).toMatchObject({ users: 1, refreshTokens: 0 });
  });
});

/** The account as a first factor read it. */
async function accountRow(id: string) {
  const row = await userRow(id);
  if (!row) throw new Error('no user row');
  return row;
}

describe('nextSignInStep', () => {
  it('sends a password sign-in straight to a session when the account has no second factor', async () => {
    expect(await nextSignInStep(await accountRow(user.id), 'password')).toEqual({ step: 'session' });
  });

  it('sends a password or a reset link to the second factor when the account has one on', async () => {
    await enrolTotp(user.id);

    expect(await nextSignInStep(await accountRow(user.id), 'password')).toEqual({ step: 'second_factor' });
    expect(await nextSignInStep(await accountRow(user.id), 'reset_link')).toEqual({ step: 'second_factor' });
  });

  it('with REQUIRE_EMAIL_VERIFICATION=true, refuses an account whose address nobody confirmed, and only that one', async () => {
    vi.stubEnv('REQUIRE_EMAIL_VERIFICATION', 'true');
    const unconfirmed = await accountRow(user.id);
    expect(await nextSignInStep(unconfirmed, 'password')).toEqual({ step: 'email_unverified' });
    expect(await nextSignInStep({ ...unconfirmed, emailVerifiedAt: new Date() }, 'password')).toEqual({
      step: 'session',
    });
  });

  it('with REQUIRE_EMAIL_VERIFICATION=true, decides an unconfirmed address before the second factor, whatever the first factor', async () => {
    vi.stubEnv('REQUIRE_EMAIL_VERIFICATION', 'true');
    await enrolTotp(user.id);
    const unconfirmed = await accountRow(user.id);

    expect(await nextSignInStep(unconfirmed, 'password')).toEqual({ step: 'email_unverified' });
    expect(await nextSignInStep(unconfirmed, 'reset_link')).toEqual({ step: 'email_unverified' });
    expect(await nextSignInStep({ ...unconfirmed, emailVerifiedAt: new Date() }, 'reset_link')).toEqual({
      step: 'second_factor',
    });
  });

  it('sends a passkey sign-in straight to a session, second factor on or not: with user verification it counts as both factors', async () => {
    expect(await nextSignInStep(await accountRow(user.id), 'passkey')).toEqual({ step: 'session' });
    await enrolTotp(user.id);
    expect(await nextSignInStep(await accountRow(user.id), 'passkey')).toEqual({ step: 'session' });
  });

  it('with REQUIRE_EMAIL_VERIFICATION=true, refuses a passkey sign-in of an unconfirmed address too', async () => {
    vi.stubEnv('REQUIRE_EMAIL_VERIFICATION', 'true');
    await enrolTotp(user.id);
    const unconfirmed = await accountRow(user.id);

    expect(await nextSignInStep(unconfirmed, 'passkey')).toEqual({ step: 'email_unverified' });
    expect(await nextSignInStep({ ...unconfirmed, emailVerifiedAt: new Date() }, 'passkey')).toEqual({
      step: 'session',
    });
  });
});

describe('completeSignIn', () => {
  it('takes a first factor to a session of the kind asked for, recorded as signed_in', async () => {
    const completion = await completeSignIn(
      { ok: true, user: await accountRow(user.id), factor: 'password' },
      'browser',
      OWNER,
    );

    if (!completion.ok) throw new Error('expected a session');
    expect(await verifyAccessToken(completion.tokens.access.value, 'browser')).toEqual({
      ok: true,
      userId: user.id,
      sessionId: completion.sessionId,
    });
    expect(await tokenRow(completion.tokens.refresh.value)).toMatchObject({ client: 'browser', ip: OWNER.ip });
    expect(await events()).toContainEqual(
      expect.objectContaining({ type: 'signed_in', userId: user.id, sessionId: completion.sessionId }),
    );
  });

  it('refuses a first factor read before a credentials change: no session, and a failed sign-in for the owner to see', async () => {
    const before = await accountRow(user.id);
    expect(await changePasswordWith(user.id, PASSWORD, 'a new passphrase here', null, OWNER)).toMatchObject({
      ok: true,
    });

    const completion = await completeSignIn({ ok: true, user: before, factor: 'password' }, 'bearer', ATTACKER);

    expect(completion).toEqual({ ok: false, reason: 'account_changed' });
    expect(await refreshTokenRows(user.id)).toEqual([]);
    const failures = (await events()).filter((event) => event.type === 'sign_in_failed');
    expect(failures).toEqual([expect.objectContaining({ userId: user.id, ip: ATTACKER.ip })]);
  });

  it('with REQUIRE_EMAIL_VERIFICATION=true, gives an unconfirmed address no session, and the owner sees why', async () => {
    vi.stubEnv('REQUIRE_EMAIL_VERIFICATION', 'true');

    const completion = await completeSignIn(
      { ok: true, user: await accountRow(user.id), factor: 'password' },
      'browser',
      OWNER,
    );

    expect(completion).toEqual({ ok: false, reason: 'email_unverified' });
    expect(await refreshTokenRows(user.id)).toEqual([]);
    expect(await events()).toContainEqual(
      expect.objectContaining({ type: 'sign_in_failed', userId: user.id, detail: 'email_unverified' }),
    );
  });
});

describe('signIn by an unconfirmed address with REQUIRE_EMAIL_VERIFICATION=true', () => {
  it("counts the right password as no failed guess: the account's ceiling on failures is not spent by it", async () => {
    vi.stubEnv('REQUIRE_EMAIL_VERIFICATION', 'true');
    vi.stubEnv('RATE_LIMIT_LOGIN_FAILED_MAX', '2');
    const credentials = { email: user.email, password: PASSWORD };

    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect(await signIn(credentials, 'bearer', OWNER)).toEqual({ ok: false, reason: 'email_unverified' });
    }
    expect(await signIn({ ...credentials, password: 'not the password' }, 'bearer', OWNER)).toEqual({
      ok: false,
      reason: 'credentials',
    });
  });
});
