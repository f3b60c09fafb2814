import 'server-only';
import { type MailMessage, sendMail } from '../mail';
import { PRODUCT_NAME } from '../messages';
import { escapeHtml } from './reset-mail';

/**
 * Mails that tell an account's owner something happened to its sign-in (the second factor turned
 * off, a recovery code used), so that someone who did it with a stolen password is seen. They
 * carry no link and no secret: only what happened and what to do if it was not them.
 */

export type AccountNotice = 'totp_disabled' | 'recovery_code_used';

const NOTICES: Record<AccountNotice, { subject: string; what: string }> = {
  totp_disabled: {
    subject: `Two-step sign-in was turned off on your ${PRODUCT_NAME} account`,
    what: `Two-step sign-in (the authenticator-app code) was turned off on your ${PRODUCT_NAME} account. Signing in now needs only the password.`,
  },
  recovery_code_used: {
    subject: `A recovery code was used to sign in to your ${PRODUCT_NAME} account`,
    what: `Someone signed in to your ${PRODUCT_NAME} account with one of its recovery codes instead of an authenticator-app code. That code cannot be used again.`,
  },
};

const IF_NOT_YOU =
  'If this was not you, change your password on the account page now, sign out the sessions you do not know, and set up two-step sign-in again.';

export function composeAccountNotice(to: string, notice: AccountNotice): MailMessage {
  const { subject, what } = NOTICES[notice];
  const text = ['Hello,', '', what, '', IF_NOT_YOU, '', PRODUCT_NAME].join('\n');
  const html = [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif; line-height: 1.5">',
    '<p>Hello,</p>',
    `<p>${escapeHtml(what)}</p>`,
    `<p>${escapeHtml(IF_NOT_YOU)}</p>`,
    `<p>${escapeHtml(PRODUCT_NAME)}</p>`,
    '</body></html>',
  ].join('\n');
  return { to, subject, text, html };
}

/** Sends a notice; a failure is logged by kind and never stops what it reports on. */
export async function notifyAccountOwner(user: { id: string; email: string }, notice: AccountNotice): Promise<void> {
  try {
    const sent = await sendMail(composeAccountNotice(user.email, notice));
    if (!sent.ok) console.error(`${notice} mail for user ${user.id} not sent: ${sent.failure}`);
  } catch (error) {
    console.error(`${notice} mail for user ${user.id} not sent: ${error instanceof Error ? error.name : 'error'}`);
  }
}
