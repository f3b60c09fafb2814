import bcrypt from 'bcrypt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { changeEmailWith, changePasswordWith } from '@/test/account-changes';
import { withFailingRevocations } from '@/test/database-faults';
import {
  apiSession,
  browserSession,
  NEW_PASSWORD,
  PASSWORD,
  refreshTokenRows,
  signUp,
  type TestUser,
  uniqueEmail,
  userRow,
} from '@/test/fixtures';
import { makeRequest } from '@/test/http';
import { accessTokenClaims, tokenRow } from '@/test/session-helpers';
import { listRecentAuthEvents } from '../audit';
import type { RequestContext } from '../http/request-context';
import { validateRefreshToken } from './bearer-refresh';
import { authenticateRequest } from './current-user';
import {
  currentPasswordSchema,
  emailChangeSchema,
  passwordChangeSchema,
  registerUser,
  verifyCredentials,
} from './password-account';
import { findSessionUser } from './session-check';
import { rotateRefreshToken } from './session-rotation';
import { startSession } from './sign-in';

const HERE: RequestContext = { ip: '198.51.100.70', userAgent: 'Mozilla/5.0 (account page)' };

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('registerUser', () => {
  it('stores a bcrypt hash, never the password, and records signed_up with where it came from', async () => {
    const email = uniqueEmail();

    const registration = await registerUser({ email, password: PASSWORD }, HERE);

    if (!registration.ok) throw new Error('expected an account');
    const row = await userRow(registration.user.id);
    expect(row?.hashedPassword).toMatch(/^\$2[ab]\$/);
    expect(await bcrypt.compare(PASSWORD, row?.hashedPassword ?? '')).toBe(true);
    expect(await listRecentAuthEvents(registration.user.id)).toEqual([
      expect.objectContaining({
        type: 'signed_up',
        userId: registration.user.id,
        ip: HERE.ip,
        userAgent: HERE.userAgent,
      }),
    ]);
  });

  it('answers email_taken for an address in use, and records nothing', async () => {
    const existing = await signUp();

    expect(await registerUser({ email: existing.email, password: PASSWORD }, HERE)).toEqual({
      ok: false,
      reason: 'email_taken',
    });
    expect((await listRecentAuthEvents(existing.id)).map((event) => event.type)).toEqual(['signed_up']);
  });

  it('answers rate_limited past the sign-up limit of the address, without hashing', async () => {
    vi.stubEnv('RATE_LIMIT_SIGNUP_IP_MAX', '1');
    await registerUser({ email: uniqueEmail(), password: PASSWORD }, HERE);
    const hash = vi.spyOn(bcrypt, 'hash');

    expect(await registerUser({ email: uniqueEmail(), password: PASSWORD }, HERE)).toEqual({
      ok: false,
      reason: 'rate_limited',
      retryAfterSeconds: expect.any(Number),
    });
    expect(hash).not.toHaveBeenCalled();
  });
});

describe('verifyCredentials', () => {
  it('names the account on a wrong password, and nobody for an unknown email, after the same bcrypt work', async () => {
    const user = await signUp();
    const compare = vi.spyOn(bcrypt, 'compare');

    expect(await verifyCredentials(user.email, 'not it')).toEqual({ ok: false, userId: user.id });
    expect(await verifyCredentials('nobody@example.com', 'not it')).toEqual({ ok: false, userId: null });
    expect(compare).toHaveBeenCalledTimes(2);
    expect(await verifyCredentials(user.email, PASSWORD)).toMatchObject({ ok: true, user: { id: user.id } });
  });
});

/** A user signed in three times: the session making the change, another browser, and an API client. */
async function userWithSessions() {
  const user = await signUp();
  const row = await userRow(user.id);
  if (!row) throw new Error('no user row');
  const current = await startSession(row, 'browser', HERE);
  const otherBrowser = await startSession(row, 'browser', HERE);
  const api = await startSession(row, 'bearer', HERE);
  return { user, current, otherBrowser, api };
}

async function liveSessionIds(user: TestUser): Promise<string[]> {
  return (await refreshTokenRows(user.id)).filter((row) => row.revokedAt === null).map((row) => row.sessionId);
}

describe('changePassword', () => {
  it('leaves exactly one live session, the caller’s, and records the change and each ended session', async () => {
    const { user, current, otherBrowser, api } = await userWithSessions();

    const change = await changePasswordWith(user.id, PASSWORD, NEW_PASSWORD, current.sessionId, HERE);

    expect(change).toMatchObject({ ok: true, user: { id: user.id } });
    expect(await liveSessionIds(user)).toEqual([current.sessionId]);
    const revoked = (await refreshTokenRows(user.id)).filter((row) => row.revokedAt !== null);
    expect(revoked.map((row) => row.revokedReason)).toEqual(['credentials_changed', 'credentials_changed']);
    expect(await findSessionUser(otherBrowser.sessionId, user.id)).toBeNull();
    expect(await findSessionUser(api.sessionId, user.id)).toBeNull();
    expect(await verifyCredentials(user.email, NEW_PASSWORD)).toMatchObject({ ok: true });
    expect(await verifyCredentials(user.email, PASSWORD)).toMatchObject({ ok: false });

    const events = await listRecentAuthEvents(user.id);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'password_changed', sessionId: current.sessionId, ip: HERE.ip }),
    );
    const ended = events.filter((event) => event.type === 'session_ended');
    expect(ended.map((event) => event.sessionId).sort()).toEqual([otherBrowser.sessionId, api.sessionId].sort());
    expect(ended.every((event) => event.detail === 'credentials_changed')).toBe(true);
    expect(JSON.stringify(events)).not.toContain(NEW_PASSWORD);
  });

  it('refuses a wrong current password and changes nothing', async () => {
    const { user, current } = await userWithSessions();
    const before = await userRow(user.id);

    expect(await changePasswordWith(user.id, 'not my password', NEW_PASSWORD, current.sessionId, HERE)).toEqual({
      ok: false,
      reason: 'wrong_password',
    });
    expect(await userRow(user.id)).toStrictEqual(before);
    expect(await liveSessionIds(user)).toHaveLength(3);
    // The owner sees the attempt in their activity list, without what was typed.
    const [latest] = await listRecentAuthEvents(user.id, 1);
    expect(latest).toMatchObject({ type: 'sign_in_failed', detail: 'current_password', ip: HERE.ip });
    expect(JSON.stringify(latest)).not.toContain('not my password');
  });

  it('counts current-password attempts against the sign-in limits: guessing through the account page is held back too', async () => {
    vi.stubEnv('RATE_LIMIT_LOGIN_ACCOUNT_MAX', '2');
    const { user, current } = await userWithSessions();
    for (let i = 0; i < 2; i++) await changePasswordWith(user.id, `guess ${i}`, NEW_PASSWORD, current.sessionId, HERE);

    expect(await changePasswordWith(user.id, PASSWORD, NEW_PASSWORD, current.sessionId, HERE)).toEqual({
      ok: false,
      reason: 'rate_limited',
      retryAfterSeconds: expect.any(Number),
    });
  });

  it('answers not_found for a user who no longer exists', async () => {
    expect(
      await changePasswordWith('00000000-0000-4000-8000-000000000000', PASSWORD, NEW_PASSWORD, null, HERE),
    ).toEqual({
      ok: false,
      reason: 'not_found',
    });
  });
});

describe('changeEmail', () => {
  it('changes the email, ends every other session, keeps the caller’s, and records email_changed', async () => {
    const { user, current } = await userWithSessions();
    const newEmail = uniqueEmail();

    expect(await changeEmailWith(user.id, PASSWORD, newEmail, current.sessionId, HERE)).toMatchObject({
      ok: true,
      user: { email: newEmail },
    });

    expect((await userRow(user.id))?.email).toBe(newEmail);
    expect(await liveSessionIds(user)).toEqual([current.sessionId]);
    expect((await listRecentAuthEvents(user.id)).map((event) => event.type)).toContain('email_changed');
  });

  it('refuses a wrong current password, and an email someone else has, changing nothing', async () => {
    const { user, current } = await userWithSessions();
    const other = await signUp();

    expect(await changeEmailWith(user.id, 'not my password', uniqueEmail(), current.sessionId, HERE)).toEqual({
      ok: false,
      reason: 'wrong_password',
    });
    expect(await changeEmailWith(user.id, PASSWORD, other.email, current.sessionId, HERE)).toEqual({
      ok: false,
      reason: 'email_taken',
    });
    expect((await userRow(user.id))?.email).toBe(user.email);
    expect(await liveSessionIds(user)).toHaveLength(3);
  });

  it('treats the same email as no change: nothing recorded, nobody signed out', async () => {
    const { user, current } = await userWithSessions();

    expect(await changeEmailWith(user.id, PASSWORD, user.email, current.sessionId, HERE)).toMatchObject({ ok: true });
    expect(await liveSessionIds(user)).toHaveLength(3);
    expect((await listRecentAuthEvents(user.id)).map((event) => event.type)).not.toContain('email_changed');
  });
});

/** Each credential change, made from the session `sessionId`. */
const CREDENTIAL_CHANGES = {
  password: (user: TestUser, sessionId: string) => changePasswordWith(user.id, PASSWORD, NEW_PASSWORD, sessionId, HERE),
  email: (user: TestUser, sessionId: string) => changeEmailWith(user.id, PASSWORD, uniqueEmail(), sessionId, HERE),
};

describe('a change from the account page, seen from each browser and client of the user', () => {
  function withCookie(access: string) {
    return makeRequest('GET', '/api/me', { cookies: { chirpy_access: access } });
  }

  it.each(Object.entries(CREDENTIAL_CHANGES))(
    '%s: the browser that made it keeps working cookies (nothing of its own is rotated); the others’ stop at once',
    async (_label, change) => {
      const user = await signUp();
      const here = await browserSession(user);
      const elsewhere = await browserSession(user);
      const api = await apiSession(user);
      const sessionId = accessTokenClaims(here.access).sid;

      expect(await change(user, sessionId)).toMatchObject({ ok: true });

      expect(await tokenRow(here.refresh)).toMatchObject({ revokedAt: null });
      expect(await authenticateRequest(withCookie(here.access))).toMatchObject({ ok: true, sessionId });
      expect(await rotateRefreshToken(here.refresh, HERE)).toMatchObject({ ok: true, sessionId });

      expect(await authenticateRequest(withCookie(elsewhere.access))).toMatchObject({ ok: false });
      expect(await rotateRefreshToken(elsewhere.refresh, HERE)).toMatchObject({ ok: false });
      expect(await authenticateRequest(makeRequest('GET', '/api/me', { bearer: api.token }))).toMatchObject({
        ok: false,
      });
      expect(await validateRefreshToken(api.refreshToken, HERE)).toMatchObject({ ok: false });
    },
  );
});

describe('a fault while the other sessions end', () => {
  it.each(Object.entries(CREDENTIAL_CHANGES))(
    '%s: undoes the change, so no session of whoever knew the old credentials outlives it',
    async (_label, change) => {
      const { user, current } = await userWithSessions();
      const before = await userRow(user.id);

      await withFailingRevocations(async () => {
        await expect(change(user, current.sessionId)).rejects.toThrow();
      });

      expect(await userRow(user.id)).toStrictEqual(before);
      expect(await liveSessionIds(user)).toHaveLength(3);
      expect(await verifyCredentials(user.email, PASSWORD)).toMatchObject({ ok: true });
    },
  );
});

describe('the account forms’ schemas', () => {
  it('normalise the new email and apply the password policy to the new password only', () => {
    expect(emailChangeSchema.parse({ email: ' Ada@Example.COM ' })).toEqual({ email: 'ada@example.com' });
    expect(passwordChangeSchema.safeParse({ password: 'short' }).success).toBe(false);
    expect(passwordChangeSchema.safeParse({ password: NEW_PASSWORD }).success).toBe(true);
    expect(currentPasswordSchema.safeParse({ current_password: '' }).success).toBe(false);
    expect(currentPasswordSchema.safeParse({ current_password: 'old' }).success).toBe(true);
  });
});
