import { afterEach, describe, expect, it, vi } from 'vitest';
import { POST as revert } from '@/app/api/email-change/revert/route';
import { POST as confirm } from '@/app/api/email-verification/confirm/route';
import { POST as resendSignedIn } from '@/app/api/me/email-verification/route';
import { PUT as changeCredentials } from '@/app/api/users/route';
import { MESSAGES } from '@/lib/messages';
import { runLeftoverTasks } from '@/test/after-response';
import { mailedLinkToken } from '@/test/email-verification';
import { apiSession, PASSWORD, refreshTokenRows, signUp, uniqueEmail, userRow } from '@/test/fixtures';
import { expectError, makeRequest } from '@/test/http';
import { describeJsonBodyRules } from '@/test/json-body-rules';
import { mailCatcherForThisFile } from '@/test/password-reset';
import { POST } from './route';

/** The routes of verified addresses: asking for a link, following one, and "this wasn't me". */

const { catcher } = mailCatcherForThisFile();

afterEach(() => {
  vi.unstubAllEnvs();
});

const askFor = (json: unknown) => POST(makeRequest('POST', '/api/email-verification', { json }));
const confirmWith = (json: unknown) => confirm(makeRequest('POST', '/api/email-verification/confirm', { json }));
const revertWith = (json: unknown) => revert(makeRequest('POST', '/api/email-change/revert', { json }));

async function emptyAnswer(response: Response): Promise<{ status: number; body: string }> {
  return { status: response.status, body: await response.text() };
}

describe('POST /api/email-verification', () => {
  it('answers 202 with no body for an unconfirmed, a confirmed and an unknown address alike; mails only the unconfirmed', async () => {
    const user = await signUp();
    await runLeftoverTasks();
    catcher().mails.length = 0;

    expect(await emptyAnswer(await askFor({ email: user.email }))).toEqual({ status: 202, body: '' });
    expect(await emptyAnswer(await askFor({ email: uniqueEmail() }))).toEqual({ status: 202, body: '' });
    await runLeftoverTasks();
    expect(catcher().mails.map((mail) => mail.to)).toEqual([[user.email]]);
  });

  it('answers 400 for a malformed address and 429 over the per-email limit', async () => {
    vi.stubEnv('RATE_LIMIT_VERIFY_EMAIL_MAX', '1');
    expect(await expectError(await askFor({ email: 'not an address' }), 400)).toBe(MESSAGES.invalid_email);
    const email = uniqueEmail();
    expect((await askFor({ email })).status).toBe(202);
    const limited = await askFor({ email });
    expect(await expectError(limited, 429)).toBe(MESSAGES.rate_limited);
  });
});

describe('POST /api/email-verification/confirm', () => {
  it('answers 204 and confirms the address; the same token again is a 400 with its code', async () => {
    const user = await signUp();
    const token = await mailedLinkToken(catcher(), user.email, 'verify');
    expect(await emptyAnswer(await confirmWith({ token }))).toEqual({ status: 204, body: '' });
    expect((await userRow(user.id))?.emailVerifiedAt).toBeInstanceOf(Date);
    expect(await expectError(await confirmWith({ token }), 400)).toBe(MESSAGES.email_link_invalid);
  });

  it('answers 400 for a token that is not a string', async () => {
    expect(await expectError(await confirmWith({ token: 7 }), 400)).toBe('token must be a string');
  });
});

describe('POST /api/email-change/revert', () => {
  it('answers 204, puts the old address back and ends every session', async () => {
    const session = await apiSession();
    const changed = await changeCredentials(
      makeRequest('PUT', '/api/users', { json: { email: uniqueEmail(), password: PASSWORD }, bearer: session.token }),
    );
    expect(changed.status).toBe(200);
    const token = await mailedLinkToken(catcher(), session.email, 'revert');

    expect(await emptyAnswer(await revertWith({ token }))).toEqual({ status: 204, body: '' });
    expect(await userRow(session.id)).toMatchObject({ email: session.email });
    expect((await refreshTokenRows(session.id)).every((row) => row.revokedAt !== null)).toBe(true);
    expect(await expectError(await revertWith({ token }), 400)).toBe(MESSAGES.email_link_invalid);
  });
});

describe('POST /api/me/email-verification', () => {
  it('answers 202 for an unconfirmed address, 409 once it is confirmed, 401 without a caller', async () => {
    const session = await apiSession();
    const ask = () => resendSignedIn(makeRequest('POST', '/api/me/email-verification', { bearer: session.token }));
    expect(await emptyAnswer(await ask())).toEqual({ status: 202, body: '' });
    const token = await mailedLinkToken(catcher(), session.email, 'verify');
    expect((await confirmWith({ token })).status).toBe(204);
    expect(await expectError(await ask(), 409)).toBe(MESSAGES.email_already_verified);
    const anonymous = await resendSignedIn(makeRequest('POST', '/api/me/email-verification'));
    expect(anonymous.status).toBe(401);
  });
});

describeJsonBodyRules({
  route: 'POST /api/email-verification',
  handler: POST,
  arrange: async () => {
    const user = await signUp();
    await runLeftoverTasks();
    catcher().mails.length = 0;
    return { json: { email: user.email } };
  },
  acceptedStatus: 202,
  expectUnchanged: async () => {
    await runLeftoverTasks();
    expect(catcher().mails).toEqual([]);
  },
  expectAccepted: async ({ json }) => {
    await runLeftoverTasks();
    expect(catcher().mails.map((mail) => mail.to)).toEqual([[json.email]]);
  },
});

describeJsonBodyRules({
  route: 'POST /api/email-verification/confirm',
  handler: confirm,
  arrange: async () => {
    const user = await signUp();
    return { json: { token: await mailedLinkToken(catcher(), user.email, 'verify') }, userId: user.id };
  },
  acceptedStatus: 204,
  expectUnchanged: async ({ userId }) => expect((await userRow(userId))?.emailVerifiedAt).toBeNull(),
  expectAccepted: async ({ userId }) => expect((await userRow(userId))?.emailVerifiedAt).toBeInstanceOf(Date),
});

describeJsonBodyRules({
  route: 'POST /api/email-change/revert',
  handler: revert,
  arrange: async () => {
    const session = await apiSession();
    const newEmail = uniqueEmail();
    const json = { email: newEmail, password: PASSWORD };
    await changeCredentials(makeRequest('PUT', '/api/users', { json, bearer: session.token }));
    return { json: { token: await mailedLinkToken(catcher(), session.email, 'revert') }, session, newEmail };
  },
  acceptedStatus: 204,
  expectUnchanged: async ({ session, newEmail }) =>
    expect(await userRow(session.id)).toMatchObject({ email: newEmail }),
  expectAccepted: async ({ session }) => expect(await userRow(session.id)).toMatchObject({ email: session.email }),
});
