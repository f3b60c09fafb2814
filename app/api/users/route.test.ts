import { afterEach, describe, expect, it, vi } from 'vitest';
import { POST as login } from '@/app/api/login/route';
import { GET as me } from '@/app/api/me/route';
import { POST as refresh } from '@/app/api/refresh/route';
import { listRecentAuthEvents } from '@/lib/audit';
import { hashRefreshToken } from '@/lib/auth/tokens';
import { MESSAGES } from '@/lib/messages';
import { withFailingRevocations } from '@/test/database-faults';
import {
  apiSession,
  asPublicUser,
  deleteUserRow,
  PASSWORD,
  publicUserMatching,
  refreshTokenRows,
  rowCounts,
  signUp,
  uniqueEmail,
  userRow,
  withDatabaseDown,
} from '@/test/fixtures';
import { expectError, fromAddress, jsonOf, makeRequest } from '@/test/http';
import { describeJsonBodyRules } from '@/test/json-body-rules';
import { accessTokenClaims } from '@/test/session-helpers';
import { POST, PUT } from './route';

afterEach(() => {
  vi.unstubAllEnvs();
});

function postUser(json: unknown) {
  return POST(makeRequest('POST', '/api/users', { json }));
}

function putUser(token: string, json: unknown) {
  return PUT(makeRequest('PUT', '/api/users', { json, bearer: token }));
}

async function loginStatus(email: string, password: string): Promise<number> {
  return (await login(makeRequest('POST', '/api/login', { json: { email, password } }))).status;
}

async function meStatus(token: string): Promise<number> {
  return (await me(makeRequest('GET', '/api/me', { bearer: token }))).status;
}

async function refreshStatus(refreshToken: string): Promise<number> {
  return (await refresh(makeRequest('POST', '/api/refresh', { bearer: refreshToken }))).status;
}

describe('POST /api/users', () => {
  it('creates the user: 201 with exactly the public fields, matching the stored row', async () => {
    const email = uniqueEmail();
    const { status, body } = await jsonOf(await postUser({ email, password: PASSWORD }));

    expect(status).toBe(201);
    expect(body).toStrictEqual(publicUserMatching(email));
    const user = asPublicUser(body);
    const row = await userRow(user.id);
    expect(row).toMatchObject({ email, isChirpyRed: false });
    expect(row?.createdAt.toISOString()).toBe(user.created_at);
    expect(row?.updatedAt.toISOString()).toBe(user.updated_at);
    // A bcrypt hash at the suite's cost (BCRYPT_COST=4), never the password itself.
    expect(row?.hashedPassword).toMatch(/^\$2[ab]\$04\$.{53}$/);
    expect(JSON.stringify(body)).not.toContain(row?.hashedPassword);
  });

  it('stores the email trimmed and lower-cased, and answers with that form', async () => {
    const { status, body } = await jsonOf(await postUser({ email: '  Alice.Smith@Example.COM ', password: PASSWORD }));

    expect(status).toBe(201);
    const user = asPublicUser(body);
    expect(user.email).toBe('alice.smith@example.com');
    expect((await userRow(user.id))?.email).toBe('alice.smith@example.com');
  });

  it('answers 409 for an email that is taken, also in another case, and keeps the first account', async () => {
    const first = await signUp('bob@example.com');
    const before = await userRow(first.id);

    expect(await expectError(await postUser({ email: 'bob@example.com', password: 'another password' }), 409)).toBe(
      'Email is already registered',
    );
    expect(await expectError(await postUser({ email: ' BOB@Example.com', password: 'another password' }), 409)).toBe(
      'Email is already registered',
    );
    expect((await rowCounts()).users).toBe(1);
    expect(await userRow(first.id)).toStrictEqual(before);
  });

  it('refuses a password under 8 characters and accepts one of exactly 8', async () => {
    expect(await expectError(await postUser({ email: uniqueEmail(), password: '1234567' }), 400)).toBe(
      'Password must be at least 8 characters',
    );
    expect((await rowCounts()).users).toBe(0);

    expect((await postUser({ email: uniqueEmail(), password: '12345678' })).status).toBe(201);
  });

  it('refuses a password over 72 bytes (37 two-byte characters) rather than let bcrypt truncate it', async () => {
    const message = await expectError(await postUser({ email: uniqueEmail(), password: 'é'.repeat(37) }), 400);

    expect(message).toMatch(/72 bytes/);
    expect((await rowCounts()).users).toBe(0);
  });

  it('accepts a password of exactly 72 bytes, and only that password logs in', async () => {
    const email = uniqueEmail();
    const password = 'é'.repeat(36);
    expect((await postUser({ email, password })).status).toBe(201);

    expect(await loginStatus(email, password)).toBe(200);
    expect(await loginStatus(email, `${'é'.repeat(35)}e`)).toBe(401);
  });

  it('hashes with bcrypt cost 10 when BCRYPT_COST is not set', async () => {
    vi.stubEnv('BCRYPT_COST', undefined);
    const { id } = await signUp();

    expect((await userRow(id))?.hashedPassword).toMatch(/^\$2[ab]\$10\$/);
  });

  it.each([
    ['email missing', { password: PASSWORD }, 'email is required'],
    ['password missing', { email: 'a@example.com' }, 'password is required'],
    ['email not a string', { email: 42, password: PASSWORD }, 'email must be a string'],
    ['password not a string', { email: 'a@example.com', password: 12345678 }, 'password must be a string'],
    ['email invalid', { email: 'not-an-email', password: PASSWORD }, 'email must be a valid email address'],
    ['email blank', { email: '   ', password: PASSWORD }, 'email must be a valid email address'],
    ['email too long', { email: `${'a'.repeat(250)}@example.com`, password: PASSWORD }, 'email is too long'],
  ])('answers 400 when the %s and creates nothing', async (_label, json, message) => {
    expect(await expectError(await postUser(json), 400)).toBe(message);
    expect((await rowCounts()).users).toBe(0);
  });

  it('answers 415 to a form-encoded body, creating no account and no session (the sign-up page uses a server action)', async () => {
    const request = makeRequest('POST', '/api/users', { form: { email: uniqueEmail(), password: PASSWORD } });

    const response = POST(request);

    expect(await expectError(await response, 415)).toBe(MESSAGES.json_required);
    expect((await response).headers.getSetCookie()).toEqual([]);
    expect(await rowCounts()).toMatchObject({ users: 0, refreshTokens: 0 });
  });

  it('answers 503 with a bare message when the database is down, and logs no credentials', async () => {
    const email = uniqueEmail();
    const password = 'a secret password nobody may log';

    await withDatabaseDown(async (logged) => {
      const response = await postUser({ email, password });
      expect(await jsonOf(response)).toStrictEqual({
        status: 503,
        body: { error: 'Service unavailable: the database is not answering' },
      });
      expect(logged()).toContain('POST /api/users');
      expect(logged()).not.toContain(password);
      expect(logged()).not.toContain(email);
    });
    expect((await rowCounts()).users).toBe(0);
  });
});

describeJsonBodyRules({
  route: 'POST /api/users',
  handler: POST,
  arrange: async () => ({ json: { email: uniqueEmail(), password: PASSWORD } }),
  acceptedStatus: 201,
  expectUnchanged: async () => expect((await rowCounts()).users).toBe(0),
});

describe('PUT /api/users', () => {
  it('changes email and password: 200 with the updated user; the new credentials log in, the old do not', async () => {
    const session = await apiSession();
    const newPassword = 'a brand new password';

    const { status, body } = await jsonOf(
      await putUser(session.token, { email: ' New@Example.com', password: newPassword }),
    );

    expect(status).toBe(200);
    expect(body).toStrictEqual(publicUserMatching('new@example.com'));
    const user = asPublicUser(body);
    expect(user.id).toBe(session.id);
    const row = await userRow(session.id);
    expect(row?.email).toBe('new@example.com');
    expect(row?.updatedAt.toISOString()).toBe(user.updated_at);
    expect(await loginStatus('new@example.com', newPassword)).toBe(200);
    expect(await loginStatus('new@example.com', session.password)).toBe(401);
    expect(await loginStatus(session.email, session.password)).toBe(401);
  });

  it("ends every other session of the user at once (refresh tokens revoked, access tokens refused), keeps the caller's, and no one else's", async () => {
    const session = await apiSession();
    const second = await apiSession(session);
    const third = await apiSession(session);
    const other = await apiSession();

    expect((await putUser(session.token, { email: session.email, password: 'a brand new password' })).status).toBe(200);

    const rows = await refreshTokenRows(session.id);
    expect(rows).toHaveLength(3);
    const live = rows.filter((row) => row.revokedAt === null);
    expect(live.map((row) => row.tokenHash)).toEqual([hashRefreshToken(session.refreshToken)]);
    for (const row of rows.filter((row) => row.revokedAt !== null)) {
      expect(row.revokedReason).toBe('credentials_changed');
    }
    expect(await refreshStatus(session.refreshToken)).toBe(200);
    expect(await refreshStatus(second.refreshToken)).toBe(401);
    expect(await refreshStatus(third.refreshToken)).toBe(401);
    expect(await meStatus(session.token)).toBe(200);
    expect(await meStatus(second.token)).toBe(401);
    expect((await refreshTokenRows(other.id))[0]?.revokedAt).toBeNull();
    expect(await refreshStatus(other.refreshToken)).toBe(200);
  });

  it('records the changes in the audit log, with where they came from, and who ended the other sessions', async () => {
    vi.stubEnv('TRUST_PROXY', 'none');
    const session = await apiSession();
    const second = await apiSession(session);
    const newEmail = uniqueEmail();

    const response = await PUT(
      makeRequest('PUT', '/api/users', {
        json: { email: newEmail, password: 'a brand new password' },
        bearer: session.token,
        headers: { ...fromAddress('198.51.100.4'), 'user-agent': 'curl/8.5.0' },
      }),
    );

    expect(response.status).toBe(200);
    const events = await listRecentAuthEvents(session.id, 20);
    const where = { ip: '198.51.100.4', userAgent: 'curl/8.5.0' };
    const callerSession = accessTokenClaims(session.token).sid;
    expect(events.filter((event) => event.ip === '198.51.100.4')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'email_changed', sessionId: callerSession, ...where }),
        expect.objectContaining({ type: 'password_changed', sessionId: callerSession, ...where }),
        expect.objectContaining({
          type: 'session_ended',
          sessionId: accessTokenClaims(second.token).sid,
          detail: 'credentials_changed',
          ...where,
        }),
      ]),
    );
    expect(events.filter((event) => event.ip === '198.51.100.4')).toHaveLength(3);
    expect(JSON.stringify(events)).not.toContain('a brand new password');
  });

  it('changes the credentials and ends the other sessions together: a fault while ending them changes nothing', async () => {
    const session = await apiSession();
    const second = await apiSession(session);
    const before = await userRow(session.id);
    const newEmail = uniqueEmail();

    await withFailingRevocations(async () => {
      expect((await putUser(session.token, { email: newEmail, password: 'a brand new password' })).status).toBe(500);
    });

    expect(await userRow(session.id)).toStrictEqual(before);
    expect(await loginStatus(session.email, session.password)).toBe(200);
    expect(await loginStatus(newEmail, 'a brand new password')).toBe(401);
    expect(await meStatus(second.token)).toBe(200);
    expect(await refreshStatus(second.refreshToken)).toBe(200);
    const types = (await listRecentAuthEvents(session.id, 20)).map((event) => event.type);
    expect(types).not.toContain('password_changed');
    expect(types).not.toContain('email_changed');
  });

  it('records only password_changed when the email stays the same', async () => {
    const session = await apiSession();

    expect((await putUser(session.token, { email: session.email, password: 'a brand new password' })).status).toBe(200);

    const types = (await listRecentAuthEvents(session.id, 20)).map((event) => event.type);
    expect(types).toContain('password_changed');
    expect(types).not.toContain('email_changed');
  });

  it('keeps the own email without a conflict', async () => {
    const session = await apiSession();

    const { status, body } = await jsonOf(await putUser(session.token, { email: session.email, password: PASSWORD }));

    expect(status).toBe(200);
    expect(asPublicUser(body).email).toBe(session.email);
  });

  it("answers 409 for another user's email, in any case, and changes nothing", async () => {
    const taken = await signUp('taken@example.com');
    const session = await apiSession();
    const before = await userRow(session.id);

    expect(
      await expectError(await putUser(session.token, { email: 'TAKEN@example.com', password: PASSWORD }), 409),
    ).toBe('Email is already registered');
    expect(await userRow(session.id)).toStrictEqual(before);
    expect((await userRow(taken.id))?.email).toBe('taken@example.com');
    expect((await refreshTokenRows(session.id))[0]?.revokedAt).toBeNull();
  });

  it('needs no current password with a bearer token (the contract), but counts the change against the sign-in limits', async () => {
    vi.stubEnv('TRUST_PROXY', 'none');
    vi.stubEnv('RATE_LIMIT_LOGIN_ACCOUNT_MAX', '2');
    const session = await apiSession();
    const change = (password: string) =>
      PUT(
        makeRequest('PUT', '/api/users', {
          json: { email: session.email, password },
          bearer: session.token,
          headers: fromAddress('198.51.100.5'),
        }),
      );
    expect((await change('a brand new password')).status).toBe(200);
    expect((await change('another new password')).status).toBe(200);
    const before = await userRow(session.id);

    const refused = await change('a third new password');

    expect(refused.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(await jsonOf(refused)).toEqual({
      status: 429,
      body: { error: MESSAGES.rate_limited, code: 'rate_limited' },
    });
    expect(await userRow(session.id)).toStrictEqual(before);
    expect(await loginStatus(session.email, 'another new password')).toBe(200);
    const limited = (await listRecentAuthEvents(session.id)).filter((event) => event.type === 'rate_limited');
    expect(limited).toEqual([expect.objectContaining({ detail: 'login_account', ip: '198.51.100.5' })]);
  });

  it('answers 401 without a usable access token and changes nothing', async () => {
    const session = await apiSession();
    const before = await userRow(session.id);
    const json = { email: uniqueEmail(), password: 'a brand new password' };

    await expectError(await PUT(makeRequest('PUT', '/api/users', { json })), 401);
    await expectError(await putUser(session.refreshToken, json), 401);
    await expectError(await putUser('not-a-jwt', json), 401);
    await expectError(
      await PUT(makeRequest('PUT', '/api/users', { json, headers: { authorization: `Token ${session.token}` } })),
      401,
    );

    expect(await userRow(session.id)).toStrictEqual(before);
    expect((await refreshTokenRows(session.id))[0]?.revokedAt).toBeNull();
  });

  it('answers 401 when the token names a user who no longer exists', async () => {
    const session = await apiSession();
    await deleteUserRow(session.id);

    await expectError(await putUser(session.token, { email: uniqueEmail(), password: PASSWORD }), 401);
    expect((await rowCounts()).users).toBe(0);
  });

  it.each([
    ['a short password', { email: 'x@example.com', password: 'short' }],
    ['an invalid email', { email: 'nope', password: 'a brand new password' }],
    ['a missing password', { email: 'x@example.com' }],
  ])('answers 400 to %s and changes nothing', async (_label, json) => {
    const session = await apiSession();
    const before = await userRow(session.id);

    await expectError(await putUser(session.token, json), 400);
    expect(await userRow(session.id)).toStrictEqual(before);
  });
});

describeJsonBodyRules({
  route: 'PUT /api/users',
  handler: PUT,
  arrange: async () => {
    const session = await apiSession();
    const json = { email: uniqueEmail(), password: 'a brand new password' };
    return { json, bearer: session.token, id: session.id, before: await userRow(session.id) };
  },
  acceptedStatus: 200,
  expectUnchanged: async ({ id, before }) => expect(await userRow(id)).toStrictEqual(before),
});
