import { afterEach, describe, expect, it, vi } from 'vitest';
import { changeEmailWith } from '@/test/account-changes';
import { runLeftoverTasks } from '@/test/after-response';
import { emailTokenRow, expireEmailToken, mailedLinkToken, mailsTo } from '@/test/email-verification';
import { apiSession, browserSession, PASSWORD, refreshTokenRows, signUp, uniqueEmail, userRow } from '@/test/fixtures';
import { APP_URL, mailCatcherForThisFile } from '@/test/password-reset';
import { recordDatabaseWork } from '@/test/session-helpers';
import { listRecentAuthEvents } from '../audit';
import type { RequestContext } from '../http/request-context';
import { findUserById } from '../users';
import { confirmEmail, requestConfirmationLink, resendConfirmation, revertEmailChange } from './email-verification';
import { hashResetToken, requestPasswordReset } from './password-reset';
import { signIn, signUp as signUpFlow } from './sign-in';

const HERE: RequestContext = { ip: '198.51.100.81', userAgent: 'Mozilla/5.0 (verification test)' };

const { catcher } = mailCatcherForThisFile();

afterEach(() => {
  vi.restoreAllMocks();
});

async function eventTypes(userId: string): Promise<string[]> {
  return (await listRecentAuthEvents(userId)).map((event) => event.type).reverse();
}

async function verifiedAccount() {
  const user = await signUp();
  expect(await confirmEmail(await mailedLinkToken(catcher(), user.email, 'verify'), HERE)).toMatchObject({ ok: true });
  return user;
}

async function account(id: string) {
  const user = await findUserById(id);
  if (!user) throw new Error('the account is gone');
  return user;
}

describe('the confirmation link mailed at sign-up', () => {
  it('is mailed to the address, on APP_URL, stored only as its SHA-256, for 24 hours; following it confirms the address', async () => {
    const user = await signUp();
    expect((await userRow(user.id))?.emailVerifiedAt).toBeNull();

    const token = await mailedLinkToken(catcher(), user.email, 'verify');
    const [mail] = mailsTo(catcher(), user.email);
    expect(mail?.subject).toBe('Confirm your Chirpy email address');
    expect(mail?.text).toContain(`${APP_URL}/verify-email?token=${token}`);
    expect(mail?.text).toContain('within 24 hours');
    const row = await emailTokenRow(token);
    expect(row).toMatchObject({ userId: user.id, purpose: 'verify', email: user.email, usedAt: null });
    expect(row?.tokenHash).toBe(hashResetToken(token));
    expect((row?.expiresAt.getTime() ?? 0) - (row?.createdAt.getTime() ?? 0)).toBe(24 * 60 * 60 * 1000);

    expect(await confirmEmail(token, HERE)).toMatchObject({ ok: true, changed: false });
    expect((await userRow(user.id))?.emailVerifiedAt).toBeInstanceOf(Date);
    expect(await eventTypes(user.id)).toEqual(['signed_up', 'email_verification_sent', 'email_verified']);
  });

  it('follows EMAIL_VERIFICATION_TTL_HOURS, in the row and in the mail', async () => {
    vi.stubEnv('EMAIL_VERIFICATION_TTL_HOURS', '2');
    const user = await signUp();
    const row = await emailTokenRow(await mailedLinkToken(catcher(), user.email, 'verify'));
    expect((row?.expiresAt.getTime() ?? 0) - (row?.createdAt.getTime() ?? 0)).toBe(2 * 60 * 60 * 1000);
    expect(mailsTo(catcher(), user.email)[0]?.text).toContain('within 2 hours');
  });

  it('works once', async () => {
    const user = await signUp();
    const token = await mailedLinkToken(catcher(), user.email, 'verify');
    expect(await confirmEmail(token, HERE)).toMatchObject({ ok: true });
    expect(await confirmEmail(token, HERE)).toEqual({ ok: false, reason: 'invalid_token' });
  });

  it('is refused once expired, and confirms nothing', async () => {
    const user = await signUp();
    const token = await mailedLinkToken(catcher(), user.email, 'verify');
    await expireEmailToken(token);
    expect(await confirmEmail(token, HERE)).toEqual({ ok: false, reason: 'invalid_token' });
    expect((await userRow(user.id))?.emailVerifiedAt).toBeNull();
  });

  it('is replaced by a newer link: the old one stops working, the new one works', async () => {
    const user = await signUp();
    const first = await mailedLinkToken(catcher(), user.email, 'verify');
    expect(await resendConfirmation(await account(user.id), HERE)).toEqual({ ok: true, email: user.email });
    const second = await mailedLinkToken(catcher(), user.email, 'verify');
    expect(second).not.toBe(first);

    expect(await confirmEmail(first, HERE)).toEqual({ ok: false, reason: 'invalid_token' });
    expect(await confirmEmail(second, HERE)).toMatchObject({ ok: true });
  });

  it('refuses made-up, malformed and stored-hash tokens alike', async () => {
    const user = await signUp();
    const token = await mailedLinkToken(catcher(), user.email, 'verify');
    for (const bad of ['0'.repeat(64), 'not a token', '', hashResetToken(token)]) {
      expect(await confirmEmail(bad, HERE)).toEqual({ ok: false, reason: 'invalid_token' });
    }
  });

  it('counts attempts per address: over the limit nothing is checked', async () => {
    vi.stubEnv('RATE_LIMIT_VERIFY_CONFIRM_MAX', '2');
    const user = await signUp();
    const token = await mailedLinkToken(catcher(), user.email, 'verify');
    await confirmEmail('0'.repeat(64), HERE);
    await confirmEmail('1'.repeat(64), HERE);
    expect(await confirmEmail(token, HERE)).toMatchObject({ ok: false, reason: 'rate_limited' });
    expect((await userRow(user.id))?.emailVerifiedAt).toBeNull();
  });
});

describe('"send the link again"', () => {
  it('signed out: the same answer and the same work before the response for unconfirmed, confirmed and unknown addresses', async () => {
    const unconfirmed = await signUp();
    const confirmed = await verifiedAccount();
    catcher().mails.length = 0;

    const work = [];
    for (const email of [unconfirmed.email, confirmed.email, uniqueEmail()]) {
      const recorded = await recordDatabaseWork(() => requestConfirmationLink(email, HERE));
      work.push({ answer: recorded.result, statements: recorded.statements });
    }
    for (const one of work) expect(one).toEqual(work[0]);
    expect(work[0]?.answer).toEqual({ ok: true });
    expect(catcher().mails).toEqual([]);

    await runLeftoverTasks();
    expect(catcher().mails.map((mail) => mail.to)).toEqual([[unconfirmed.email]]);
  });

  it('signed out: counted per email, known or not; over the limit nothing is sent', async () => {
    vi.stubEnv('RATE_LIMIT_VERIFY_EMAIL_MAX', '1');
    const user = await signUp();
    await runLeftoverTasks();
    catcher().mails.length = 0;
    expect(await requestConfirmationLink(user.email, HERE)).toEqual({ ok: true });
    expect(await requestConfirmationLink(user.email, HERE)).toMatchObject({ ok: false, reason: 'rate_limited' });
    expect(await requestConfirmationLink('nobody@example.com', HERE)).toEqual({ ok: true });
    expect(await requestConfirmationLink('nobody@example.com', HERE)).toMatchObject({
      ok: false,
      reason: 'rate_limited',
    });
    await runLeftoverTasks();
    expect(catcher().mails).toHaveLength(1);
  });

  it('signed in: nothing to send for a confirmed address, and a limit per address', async () => {
    vi.stubEnv('RATE_LIMIT_VERIFY_EMAIL_MAX', '1');
    const confirmed = await verifiedAccount();
    expect(await resendConfirmation(await account(confirmed.id), HERE)).toEqual({
      ok: false,
      reason: 'already_verified',
    });
    const user = await signUp();
    expect(await resendConfirmation(await account(user.id), HERE)).toMatchObject({ ok: true });
    expect(await resendConfirmation(await account(user.id), HERE)).toMatchObject({ ok: false, reason: 'rate_limited' });
  });
});

describe('sign-in and sign-up by an unconfirmed address', () => {
  it('REQUIRE_EMAIL_VERIFICATION unset: signs in as before', async () => {
    const user = await signUp();
    expect(await signIn(user, 'bearer', HERE)).toMatchObject({ ok: true });
  });

  it('REQUIRE_EMAIL_VERIFICATION=true: the right password gets no session, a new link, and an event; a wrong one stays a plain refusal', async () => {
    const user = await signUp();
    await runLeftoverTasks();
    catcher().mails.length = 0;
    vi.stubEnv('REQUIRE_EMAIL_VERIFICATION', 'true');

    expect(await signIn({ email: user.email, password: 'wrong password' }, 'bearer', HERE)).toEqual({
      ok: false,
      reason: 'credentials',
    });
    expect(await signIn(user, 'bearer', HERE)).toEqual({ ok: false, reason: 'email_unverified' });
    expect(await refreshTokenRows(user.id)).toEqual([]);
    const events = await listRecentAuthEvents(user.id);
    expect(events[0]).toMatchObject({ type: 'sign_in_failed', detail: 'email_unverified' });

    const token = await mailedLinkToken(catcher(), user.email, 'verify');
    expect(await confirmEmail(token, HERE)).toMatchObject({ ok: true });
    expect(await signIn(user, 'bearer', HERE)).toMatchObject({ ok: true });
  });

  it('REQUIRE_EMAIL_VERIFICATION=true: sign-up creates the account and mails the link, but starts no session', async () => {
    vi.stubEnv('REQUIRE_EMAIL_VERIFICATION', 'true');
    const email = uniqueEmail();
    expect(await signUpFlow({ email, password: PASSWORD }, 'browser', HERE)).toEqual({
      ok: false,
      reason: 'email_unverified',
    });
    await mailedLinkToken(catcher(), email, 'verify');
  });
});

describe('changing the address with REQUIRE_EMAIL_VERIFICATION unset', () => {
  it('takes effect at once, unconfirmed; the new address gets its link, the old one a notice with "this wasn\'t me"', async () => {
    const user = await verifiedAccount();
    const newEmail = uniqueEmail();
    expect(await changeEmailWith(user.id, PASSWORD, newEmail, null, HERE)).toMatchObject({ ok: true });
    expect(await userRow(user.id)).toMatchObject({ email: newEmail, emailVerifiedAt: null, pendingEmail: null });

    await mailedLinkToken(catcher(), newEmail, 'verify');
    await mailedLinkToken(catcher(), user.email, 'revert');
    const notice = mailsTo(catcher(), user.email).at(-1);
    expect(notice?.subject).toBe('The email address of your Chirpy account is changing');
    // The new address is only hinted at: whoever reads the old inbox is not handed it.
    expect(notice?.text).not.toContain(newEmail);
    expect(notice?.text).toContain(`${newEmail.slice(0, 1)}•••@example.com`);
  });

  it('"this wasn\'t me" puts the old address back, confirmed, and ends every session; it works once', async () => {
    const user = await verifiedAccount();
    const bearer = await apiSession(user);
    const browser = await browserSession(user);
    const newEmail = uniqueEmail();
    await changeEmailWith(user.id, PASSWORD, newEmail, null, HERE);
    const revert = await mailedLinkToken(catcher(), user.email, 'revert');
    const confirmNew = await mailedLinkToken(catcher(), newEmail, 'verify');

    expect(await revertEmailChange(revert, HERE)).toMatchObject({ ok: true });
    const row = await userRow(user.id);
    expect(row).toMatchObject({ email: user.email, pendingEmail: null });
    expect(row?.emailVerifiedAt).toBeInstanceOf(Date);
    expect((await refreshTokenRows(user.id)).every((token) => token.revokedAt !== null)).toBe(true);
    expect(bearer.refreshToken).not.toBe(browser.refresh);
    expect(await eventTypes(user.id)).toContain('email_change_reverted');
    // The new address's link would move the account again: it went with the change.
    expect(await confirmEmail(confirmNew, HERE)).toEqual({ ok: false, reason: 'invalid_token' });
    expect(await revertEmailChange(revert, HERE)).toEqual({ ok: false, reason: 'invalid_token' });
  });

  it('a second change cannot take the first address its link; using the first spends the later ones', async () => {
    const user = await verifiedAccount();
    const second = uniqueEmail();
    const third = uniqueEmail();
    await changeEmailWith(user.id, PASSWORD, second, null, HERE);
    const firstRevert = await mailedLinkToken(catcher(), user.email, 'revert');
    await changeEmailWith(user.id, PASSWORD, third, null, HERE);
    const secondRevert = await mailedLinkToken(catcher(), second, 'revert');

    expect(await revertEmailChange(secondRevert, HERE)).toMatchObject({ ok: true, user: { email: second } });
    expect(await revertEmailChange(firstRevert, HERE)).toMatchObject({ ok: true, user: { email: user.email } });
    expect(await userRow(user.id)).toMatchObject({ email: user.email });

    await changeEmailWith(user.id, PASSWORD, third, null, HERE);
    const again = await mailedLinkToken(catcher(), user.email, 'revert');
    await changeEmailWith(user.id, PASSWORD, second, null, HERE);
    const later = await mailedLinkToken(catcher(), third, 'revert');
    expect(await revertEmailChange(again, HERE)).toMatchObject({ ok: true });
    expect(await revertEmailChange(later, HERE)).toEqual({ ok: false, reason: 'invalid_token' });
  });

  it('refuses an expired "this wasn\'t me" link and changes nothing', async () => {
    const user = await verifiedAccount();
    const newEmail = uniqueEmail();
    await changeEmailWith(user.id, PASSWORD, newEmail, null, HERE);
    const revert = await mailedLinkToken(catcher(), user.email, 'revert');
    const row = await emailTokenRow(revert);
    expect((row?.expiresAt.getTime() ?? 0) - (row?.createdAt.getTime() ?? 0)).toBe(7 * 24 * 60 * 60 * 1000);
    await expireEmailToken(revert);
    expect(await revertEmailChange(revert, HERE)).toEqual({ ok: false, reason: 'invalid_token' });
    expect(await userRow(user.id)).toMatchObject({ email: newEmail });
  });
});

describe('changing the address with REQUIRE_EMAIL_VERIFICATION=true', () => {
  it('waits for the new address: the old one stays the sign-in until the link is followed', async () => {
    const user = await verifiedAccount();
    vi.stubEnv('REQUIRE_EMAIL_VERIFICATION', 'true');
    const newEmail = uniqueEmail();
    expect(await changeEmailWith(user.id, PASSWORD, newEmail, null, HERE)).toMatchObject({
      ok: true,
      pendingEmail: newEmail,
      user: { email: user.email },
    });
    expect(await userRow(user.id)).toMatchObject({ email: user.email, pendingEmail: newEmail });
    expect(await signIn({ email: newEmail, password: PASSWORD }, 'bearer', HERE)).toMatchObject({ ok: false });
    expect(await eventTypes(user.id)).toContain('email_change_requested');

    const confirmNew = await mailedLinkToken(catcher(), newEmail, 'verify');
    await mailedLinkToken(catcher(), user.email, 'revert');
    expect(await confirmEmail(confirmNew, HERE)).toMatchObject({ ok: true, changed: true });
    const row = await userRow(user.id);
    expect(row).toMatchObject({ email: newEmail, pendingEmail: null });
    expect(row?.emailVerifiedAt).toBeInstanceOf(Date);
    expect(await signIn({ email: newEmail, password: PASSWORD }, 'bearer', HERE)).toMatchObject({ ok: true });
  });

  it('never sends a reset link to a pending address', async () => {
    const user = await verifiedAccount();
    vi.stubEnv('REQUIRE_EMAIL_VERIFICATION', 'true');
    const newEmail = uniqueEmail();
    await changeEmailWith(user.id, PASSWORD, newEmail, null, HERE);
    await runLeftoverTasks();
    const outcome = await requestPasswordReset(newEmail, APP_URL, HERE);
    if (!outcome.ok) throw new Error('rate limited');
    await outcome.deliver();
    expect(mailsTo(catcher(), newEmail).map((mail) => mail.subject)).toEqual(['Confirm your new Chirpy email address']);
  });

  it('"this wasn\'t me" cancels the pending change: its confirmation link stops working', async () => {
    const user = await verifiedAccount();
    vi.stubEnv('REQUIRE_EMAIL_VERIFICATION', 'true');
    const newEmail = uniqueEmail();
    await changeEmailWith(user.id, PASSWORD, newEmail, null, HERE);
    const confirmNew = await mailedLinkToken(catcher(), newEmail, 'verify');
    const revert = await mailedLinkToken(catcher(), user.email, 'revert');

    expect(await revertEmailChange(revert, HERE)).toMatchObject({ ok: true });
    expect(await userRow(user.id)).toMatchObject({ email: user.email, pendingEmail: null });
    expect(await confirmEmail(confirmNew, HERE)).toEqual({ ok: false, reason: 'invalid_token' });
  });

  it('answers the same, after the same work, for a taken and a free new address; a taken one gets no link', async () => {
    const user = await verifiedAccount();
    const other = await signUp();
    vi.stubEnv('REQUIRE_EMAIL_VERIFICATION', 'true');
    await runLeftoverTasks();
    catcher().mails.length = 0;

    const taken = await recordDatabaseWork(() => changeEmailWith(user.id, PASSWORD, other.email, null, HERE));
    const free = uniqueEmail();
    const untaken = await recordDatabaseWork(() => changeEmailWith(user.id, PASSWORD, free, null, HERE));
    expect(taken.statements).toEqual(untaken.statements);
    expect(taken.result).toMatchObject({ ok: true, pendingEmail: other.email });
    expect(untaken.result).toMatchObject({ ok: true, pendingEmail: free });
    expect(catcher().mails).toEqual([]);

    await runLeftoverTasks();
    expect(mailsTo(catcher(), other.email)).toEqual([]);
    expect(mailsTo(catcher(), free)).toHaveLength(1);
  });
});
