import 'server-only';
import type { MailMessage } from '../mail';
import { PRODUCT_NAME } from '../messages';
import { escapeHtml } from './reset-mail';

/**
 * The mails about an address (lib/auth/email-verification.ts): the confirmation link, and the
 * notice with its "this wasn't me" link to an address the account is leaving. Each has a
 * plain-text part and a simple HTML part with the same words, as the reset mail has.
 */

type LinkMail = { to: string; subject: string; paragraphs: string[]; action: string; link: string; after: string[] };

function composeLinkMail(mail: LinkMail): MailMessage {
  const text = ['Hello,', '', ...mail.paragraphs, '', mail.link, '', ...mail.after, '', PRODUCT_NAME].join('\n');
  const href = escapeHtml(mail.link);
  const html = [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif; line-height: 1.5">',
    '<p>Hello,</p>',
    ...mail.paragraphs.map((line) => `<p>${escapeHtml(line)}</p>`),
    `<p><a href="${href}">${escapeHtml(mail.action)}</a></p>`,
    `<p>Or copy this link into your browser:<br>${href}</p>`,
    `<p>${mail.after.map(escapeHtml).join('<br>')}</p>`,
    `<p>${escapeHtml(PRODUCT_NAME)}</p>`,
    '</body></html>',
  ].join('\n');
  return { to: mail.to, subject: mail.subject, text, html };
}

function hoursText(hours: number): string {
  if (hours % 24 === 0) return hours === 24 ? '24 hours' : `${hours / 24} days`;
  return hours === 1 ? '1 hour' : `${hours} hours`;
}

/** `change`: the address is new for an existing account, rather than the one it signed up with. */
export function composeConfirmationMail(to: string, link: string, ttlHours: number, change: boolean): MailMessage {
  const intro = change
    ? `Someone asked to make this the email address of a ${PRODUCT_NAME} account.`
    : `Someone signed up for ${PRODUCT_NAME}, or asked for a new confirmation link, with this address.`;
  return composeLinkMail({
    to,
    subject: change ? `Confirm your new ${PRODUCT_NAME} email address` : `Confirm your ${PRODUCT_NAME} email address`,
    paragraphs: [intro, 'To confirm that this address is yours, open this link:'],
    action: 'Confirm this address',
    link,
    after: [
      `The link works once, within ${hoursText(ttlHours)} of this mail.`,
      'If it was not you, ignore this mail: nothing changes until the link is followed.',
    ],
  });
}

/** `a•••@example.org`: enough for the owner to recognise, not a new address handed to whoever reads the old inbox. */
export function maskAddress(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 1 ? '•••' : `${email.slice(0, 1)}•••${email.slice(at)}`;
}

export function composeChangeNotice(to: string, newEmail: string, link: string, ttlDays: number): MailMessage {
  return composeLinkMail({
    to,
    subject: `The email address of your ${PRODUCT_NAME} account is changing`,
    paragraphs: [
      `Someone asked to change the email address of the ${PRODUCT_NAME} account that uses this address to ${maskAddress(newEmail)}.`,
      'If that was you, there is nothing to do.',
      'If it was not you, open this link: it puts this address back, cancels the change, and signs the account out everywhere.',
    ],
    action: 'This was not me: put my address back',
    link,
    after: [
      `The link works once, within ${ttlDays === 1 ? '1 day' : `${ttlDays} days`} of this mail.`,
      'Then choose a new password with "Forgot your password?" on the sign-in page.',
    ],
  });
}
