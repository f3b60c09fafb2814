import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { requestPasswordResetAction, resetPasswordAction } from '@/app/actions/password-reset';
import { POST as confirmReset } from '@/app/api/password-reset/confirm/route';
import { POST as requestReset } from '@/app/api/password-reset/route';
import { INITIAL_ACCOUNT_FORM, INITIAL_RESET_REQUEST } from '@/lib/form-states';
import { signUp } from '@/test/fixtures';
import { fromAddress, makeRequest } from '@/test/http';
import { type CapturedMail, startMailCatcher } from '@/test/mail-catcher';
import { mailCatcherForThisFile, tokenIn } from '@/test/password-reset';
import { serve } from '@/test/request-scope';
import { hashResetToken } from './password-reset';

/**
 * No log line ever holds a reset token, its hash or its link: not on success, not when the mail
 * server refuses the message (quoting it back), not when there is no mail server at all, not
 * when a link is used twice or made up. (Development without SMTP_URL prints mails on purpose:
 * that is its point, and production refuses to run that way; lib/mail.test.ts covers it.)
 */

const { catcher } = mailCatcherForThisFile();

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
let spies: MockInstance[] = [];

beforeEach(() => {
  vi.stubEnv('TRUST_PROXY', 'none');
  vi.stubEnv('RATE_LIMIT_RESET_EMAIL_MAX', '100');
  spies = CONSOLE_METHODS.map((method) => vi.spyOn(console, method).mockImplementation(() => {}));
});

afterEach(() => {
  vi.restoreAllMocks();
});

function loggedLines(): string[] {
  return spies.flatMap((spy) => spy.mock.calls.map((call) => call.map((part) => String(part)).join(' ')));
}

const headers = fromAddress('203.0.113.110');

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
}

async function viaApi(email: string): Promise<void> {
  const served = await serve(() =>
    requestReset(makeRequest('POST', '/api/password-reset', { json: { email }, headers })),
  );
  expect(served.value?.status).toBe(202);
  await served.runAfter();
}

async function viaPage(email: string): Promise<void> {
  const served = await serve(() => requestPasswordResetAction(INITIAL_RESET_REQUEST, form({ email })), headers);
  await served.runAfter();
}

describe('the logs of a whole reset, failures included', () => {
  it('never hold a token, its hash or its link', async () => {
    const user = await signUp();
    const mails: CapturedMail[] = [];

    // A request through the API, and one through the page (which replaces the first link).
    await viaApi(user.email);
    await viaPage(user.email);
    mails.push(...catcher().mails);
    // The mail server refuses the message and quotes its link back; then it is not there at all.
    catcher().refuseMessages(true);
    await viaApi(user.email);
    mails.push(...catcher().refused);
    const elsewhere = await startMailCatcher();
    await elsewhere.close();
    vi.stubEnv('SMTP_URL', elsewhere.url);
    await viaApi(user.email);
    // A fresh link that arrives, used on the page, then used again on the API and the page.
    vi.stubEnv('SMTP_URL', catcher().url);
    catcher().refuseMessages(false);
    await viaPage(user.email);
    const last = await catcher().mail(2);
    mails.push(last);
    const token = tokenIn(last);
    const fields = { token, password: 'a brand new passphrase', password_confirmation: 'a brand new passphrase' };
    expect((await serve(() => resetPasswordAction(INITIAL_ACCOUNT_FORM, form(fields)), headers)).redirectedTo).toBe(
      '/',
    );
    const again = await confirmReset(
      makeRequest('POST', '/api/password-reset/confirm', { json: { token, password: 'another passphrase' }, headers }),
    );
    expect(again.status).toBe(400);
    await serve(() => resetPasswordAction(INITIAL_ACCOUNT_FORM, form(fields)), headers);

    const lines = loggedLines();
    // The two failed sends were logged, by user and kind of failure only.
    expect(lines.filter((line) => line.startsWith(`password reset mail for user ${user.id} not sent`))).toHaveLength(2);
    expect(mails).toHaveLength(4);
    const secrets = mails.map(tokenIn).flatMap((secret) => [secret, hashResetToken(secret)]);
    for (const line of lines) {
      for (const secret of secrets) expect(line).not.toContain(secret);
      expect(line).not.toMatch(/[0-9a-f]{64}/);
      expect(line).not.toContain('token=');
      expect(line).not.toContain(user.email);
    }
  });
});
