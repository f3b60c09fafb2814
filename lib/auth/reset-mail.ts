import 'server-only';
import type { MailMessage } from '../mail';
import { PRODUCT_NAME } from '../messages';

/**
 * The password-reset mail: a plain-text part (what many people and every filter read) and a
 * simple HTML part with the same words. The catalogue (lib/messages.ts) holds what forms and the
 * API say; a mail is a document of its own, so its wording lives here.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

function minutesText(minutes: number): string {
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

export function composeResetMail(to: string, link: string, ttlMinutes: number): MailMessage {
  const expiry = `The link works once, within ${minutesText(ttlMinutes)} of this mail.`;
  const ignore = 'If you did not ask for this, ignore this mail: your password stays as it is.';
  const intro = `Someone asked to reset the password of the ${PRODUCT_NAME} account for this address.`;
  const text = [
    'Hello,',
    '',
    intro,
    'To choose a new password, open this link:',
    '',
    link,
    '',
    expiry,
    ignore,
    '',
    `${PRODUCT_NAME}`,
  ].join('\n');
  const href = escapeHtml(link);
  const html = [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif; line-height: 1.5">',
    '<p>Hello,</p>',
    `<p>${escapeHtml(intro)}</p>`,
    `<p><a href="${href}">Choose a new password</a></p>`,
    `<p>Or copy this link into your browser:<br>${href}</p>`,
    `<p>${escapeHtml(expiry)}<br>${escapeHtml(ignore)}</p>`,
    `<p>${escapeHtml(PRODUCT_NAME)}</p>`,
    '</body></html>',
  ].join('\n');
  return { to, subject: `Reset your ${PRODUCT_NAME} password`, text, html };
}
