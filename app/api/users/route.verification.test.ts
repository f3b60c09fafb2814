import { afterEach, describe, expect, it, vi } from 'vitest';
import { POST as confirm } from '@/app/api/email-verification/confirm/route';
import { POST as login } from '@/app/api/login/route';
import { GET as me } from '@/app/api/me/route';
import { MESSAGES } from '@/lib/messages';
import { runLeftoverTasks } from '@/test/after-response';
import { mailedLinkToken } from '@/test/email-verification';
import {
  apiSession,
  PASSWORD,
  publicAccountMatching,
  publicUserMatching,
  refreshTokenRows,
  signUp,
  uniqueEmail,
  userRow,
} from '@/test/fixtures';
import { expectError, jsonOf, makeRequest } from '@/test/http';
import { mailCatcherForThisFile } from '@/test/password-reset';
import { POST, PUT } from './route';

/**
 * The contract's sign-up, login and change answers under both settings of
 * REQUIRE_EMAIL_VERIFICATION: unset, exactly the shapes the seed's clients expect; true, the
 * login's 403 with its code and the change's 202.
 */

const { catcher } = mailCatcherForThisFile();

afterEach(() => {
  vi.unstubAllEnvs();
});

const loginAs = (email: string, password = PASSWORD) =>
  login(makeRequest('POST', '/api/login', { json: { email, password } }));

describe('REQUIRE_EMAIL_VERIFICATION unset', () => {
  it('sign-up answers 201 with exactly the public fields and mails a link; an unconfirmed address signs in with the usual body', async () => {
    const email = uniqueEmail();
    const created = await jsonOf(
      await POST(makeRequest('POST', '/api/users', { json: { email, password: PASSWORD } })),
    );
    expect(created).toStrictEqual({ status: 201, body: publicUserMatching(email) });
    await mailedLinkToken(catcher(), email, 'verify');

    const signedIn = await jsonOf(await loginAs(email));
    expect(signedIn).toStrictEqual({
      status: 200,
      body: { ...publicUserMatching(email), token: expect.any(String), refresh_token: expect.any(String) },
    });
  });

  it('PUT /api/users answers 200 with exactly the new public user, and the new address signs in unconfirmed', async () => {
    const session = await apiSession();
    const newEmail = uniqueEmail();
    const changed = await jsonOf(
      await PUT(
        makeRequest('PUT', '/api/users', { json: { email: newEmail, password: PASSWORD }, bearer: session.token }),
      ),
    );
    expect(changed).toStrictEqual({ status: 200, body: publicUserMatching(newEmail) });
    expect((await loginAs(newEmail)).status).toBe(200);
    const whoAmI = await jsonOf(await me(makeRequest('GET', '/api/me', { bearer: session.token })));
    expect(whoAmI).toStrictEqual({ status: 200, body: { ...publicAccountMatching(newEmail), id: session.id } });
  });
});

describe('REQUIRE_EMAIL_VERIFICATION=true', () => {
  it('sign-up still answers 201 with exactly the public fields', async () => {
    vi.stubEnv('REQUIRE_EMAIL_VERIFICATION', 'true');
    const email = uniqueEmail();
    const created = await jsonOf(
      await POST(makeRequest('POST', '/api/users', { json: { email, password: PASSWORD } })),
    );
    expect(created).toStrictEqual({ status: 201, body: publicUserMatching(email) });
  });

  it('login by an unconfirmed address answers 403 with code email_unverified, sets up no session, and mails a new link', async () => {
    const user = await signUp();
    await runLeftoverTasks();
    catcher().mails.length = 0;
    vi.stubEnv('REQUIRE_EMAIL_VERIFICATION', 'true');

    const refused = await loginAs(user.email);
    expect(await expectError(refused, 403)).toBe(MESSAGES.email_unverified);
    expect(await refreshTokenRows(user.id)).toEqual([]);
    expect(await expectError(await loginAs(user.email, 'a wrong password'), 401)).toBe(MESSAGES.incorrect_credentials);

    const token = await mailedLinkToken(catcher(), user.email, 'verify');
    expect((await confirm(makeRequest('POST', '/api/email-verification/confirm', { json: { token } }))).status).toBe(
      204,
    );
    expect((await loginAs(user.email)).status).toBe(200);
  });

  it('PUT /api/users with a new address answers 202: the password changed, the address pending', async () => {
    const session = await apiSession();
    vi.stubEnv('REQUIRE_EMAIL_VERIFICATION', 'true');
    const newEmail = uniqueEmail();
    const newPassword = 'a new long passphrase';
    const changed = await jsonOf(
      await PUT(
        makeRequest('PUT', '/api/users', { json: { email: newEmail, password: newPassword }, bearer: session.token }),
      ),
    );
    expect(changed).toStrictEqual({
      status: 202,
      body: { ...publicUserMatching(session.email), id: session.id, pending_email: newEmail },
    });
    expect(await userRow(session.id)).toMatchObject({ email: session.email, pendingEmail: newEmail });
    const whoAmI = await jsonOf(await me(makeRequest('GET', '/api/me', { bearer: session.token })));
    expect(whoAmI).toStrictEqual({
      status: 200,
      body: {
        ...publicAccountMatching(session.email, { email_verified: false, pending_email: newEmail }),
        id: session.id,
      },
    });
    expect(await expectError(await loginAs(newEmail, newPassword), 401)).toBe(MESSAGES.incorrect_credentials);
  });

  it('PUT /api/users keeping the address answers 200 as before', async () => {
    const session = await apiSession();
    vi.stubEnv('REQUIRE_EMAIL_VERIFICATION', 'true');
    const changed = await jsonOf(
      await PUT(
        makeRequest('PUT', '/api/users', { json: { email: session.email, password: PASSWORD }, bearer: session.token }),
      ),
    );
    expect(changed).toStrictEqual({ status: 200, body: { ...publicUserMatching(session.email), id: session.id } });
  });
});
