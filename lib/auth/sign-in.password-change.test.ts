import bcrypt from 'bcrypt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { POST as login } from '@/app/api/login/route';
import { POST as confirmReset } from '@/app/api/password-reset/confirm/route';
import { PUT as updateUser } from '@/app/api/users/route';
import { MESSAGES } from '@/lib/messages';
import { changePasswordWith } from '@/test/account-changes';
import { type ApiSession, apiSession, PASSWORD, refreshTokenRows, userRow } from '@/test/fixtures';
import { expectError, expectNoContent, fromAddress, jsonOf, makeRequest } from '@/test/http';
import { mailCatcherForThisFile, mailedToken } from '@/test/password-reset';
import { listRecentAuthEvents } from '../audit';
import { verifyCredentials } from './password-account';
import { createSessionIfCurrent } from './sessions';

/**
 * A sign-in checks the password (slow: bcrypt), then writes its session. A password changed in
 * between must leave that sign-in without a session: whoever typed the old password is exactly
 * who the change is meant to shut out, and the change has already ended every session it could see.
 */

const { catcher } = mailCatcherForThisFile();

const NEW_PASSWORD = 'the owner’s new passphrase';
const HERE = { ip: '198.51.100.140', userAgent: 'Mozilla/5.0 (password change race)' };

beforeEach(() => {
  vi.stubEnv('TRUST_PROXY', 'none');
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function changeThroughTheApi(owner: ApiSession): Promise<void> {
  const json = { email: owner.email, password: NEW_PASSWORD };
  expect((await updateUser(makeRequest('PUT', '/api/users', { json, bearer: owner.token }))).status).toBe(200);
}

/** The changes that end a password, each made by its owner while a sign-in is being checked. */
const changes: Record<string, (owner: ApiSession) => Promise<void>> = {
  'PUT /api/users': changeThroughTheApi,
  'a password reset': async (owner) => {
    const token = await mailedToken(catcher(), owner.email, HERE);
    const json = { token, password: NEW_PASSWORD };
    await expectNoContent(await confirmReset(makeRequest('POST', '/api/password-reset/confirm', { json })));
  },
  'the account page': async (owner) => {
    expect(await changePasswordWith(owner.id, PASSWORD, NEW_PASSWORD, null, HERE)).toMatchObject({ ok: true });
  },
};

/** The next bcrypt comparison (the sign-in's) checks the password as it is, then `meanwhile` runs before it answers. */
function duringTheNextPasswordCheck(meanwhile: () => Promise<void>): void {
  const compare: (data: string | Buffer, encrypted: string) => Promise<boolean> = bcrypt.compare;
  vi.spyOn(bcrypt, 'compare').mockImplementationOnce(async (data: string | Buffer, encrypted: string) => {
    const matched = await compare(data, encrypted);
    await meanwhile();
    return matched;
  });
}

async function signedInCount(userId: string): Promise<number> {
  return (await listRecentAuthEvents(userId, 100)).filter((event) => event.type === 'signed_in').length;
}

function signIn(email: string, headers: Record<string, string> = {}) {
  return login(
    makeRequest('POST', '/api/login', {
      json: { email, password: PASSWORD },
      headers: { ...fromAddress(HERE.ip), ...headers },
    }),
  );
}

describe('a sign-in whose password check began before a password change', () => {
  it.each(Object.entries(changes))(
    '%s: gets no session, a 401 like any wrong password, and no refresh token',
    async (_label, change) => {
      const owner = await apiSession();
      const tokensBefore = await refreshTokenRows(owner.id);
      const signedInBefore = await signedInCount(owner.id);
      duringTheNextPasswordCheck(() => change(owner));

      const response = await signIn(owner.email);

      expect(await expectError(response, 401)).toBe(MESSAGES.incorrect_credentials);
      const created = (await refreshTokenRows(owner.id)).filter(
        (row) => !tokensBefore.some((before) => before.tokenHash === row.tokenHash),
      );
      expect(created).toEqual([]);
      expect(await signedInCount(owner.id)).toBe(signedInBefore);
      // The owner's new password works; the old one is simply wrong now.
      expect(
        (await login(makeRequest('POST', '/api/login', { json: { email: owner.email, password: NEW_PASSWORD } })))
          .status,
      ).toBe(200);
    },
  );

  it('from a browser: 401, and no session cookies', async () => {
    const owner = await apiSession();
    duringTheNextPasswordCheck(() => changeThroughTheApi(owner));

    const response = await signIn(owner.email, { origin: 'http://localhost:3000', 'x-chirpy-session': 'cookie' });

    expect(await jsonOf(response)).toEqual({
      status: 401,
      body: { error: MESSAGES.incorrect_credentials, code: 'incorrect_credentials' },
    });
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('is recorded as a failed sign-in for the owner to see', async () => {
    const owner = await apiSession();
    duringTheNextPasswordCheck(() => changeThroughTheApi(owner));

    expect((await signIn(owner.email)).status).toBe(401);

    const [latest] = await listRecentAuthEvents(owner.id, 1);
    expect(latest).toMatchObject({ type: 'sign_in_failed', userId: owner.id, ip: HERE.ip });
  });
});

describe('createSessionIfCurrent', () => {
  it('writes no session for a user row read before a password change, and one for the row read after', async () => {
    const owner = await apiSession();
    const check = await verifyCredentials(owner.email, PASSWORD);
    if (!check.ok) throw new Error('expected the password to check out');

    expect(await changePasswordWith(owner.id, PASSWORD, NEW_PASSWORD, null, HERE)).toMatchObject({ ok: true });
    const before = await refreshTokenRows(owner.id);

    expect(await createSessionIfCurrent(check.user, 'bearer', HERE)).toBeNull();
    expect(await refreshTokenRows(owner.id)).toEqual(before);

    const current = await userRow(owner.id);
    if (!current) throw new Error('no user row');
    expect(current.credentialVersion).toBeGreaterThan(check.user.credentialVersion);
    expect(await createSessionIfCurrent(current, 'bearer', HERE)).toMatchObject({ sessionId: expect.any(String) });
    expect(await refreshTokenRows(owner.id)).toHaveLength(before.length + 1);
  });
});
