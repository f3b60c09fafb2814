import 'server-only';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import { getMailSettings, isDevelopmentServer, type MailSettings } from './config';

/**
 * Sending mail: over SMTP from SMTP_URL, as MAIL_FROM. Without SMTP_URL, development prints
 * each mail (links included) to the server's output, so `npm run dev` needs no mail server;
 * production refuses to start that way (lib/startup.ts), so it never gets here without one.
 *
 * A failed send is an expected outcome (the provider is down, refuses the login), returned as a
 * value: the caller decides what to log. Neither this module nor nodemailer (its logger is off)
 * ever logs a message's content, since a mail can carry a secret link.
 */

export type MailMessage = { to: string; subject: string; text: string; html: string };

/** A failure names only what kind it was (nodemailer's code, the SMTP reply code), never the server's words. */
export type MailDelivery = { ok: true } | { ok: false; failure: string };

type Transport = ReturnType<typeof nodemailer.createTransport>;

// One connection setup per SMTP_URL and timeout; reused by every send of this instance.
const holder = globalThis as typeof globalThis & { chirpyMailTransport?: { key: string; transport: Transport } };

function transportFor(smtpUrl: URL, settings: MailSettings): Transport {
  const key = `${smtpUrl.href}\u0000${settings.timeoutSeconds}`;
  if (holder.chirpyMailTransport?.key !== key) {
    const timeout = settings.timeoutSeconds * 1000;
    const transport = nodemailer.createTransport({
      url: smtpUrl.href,
      // nodemailer waits minutes by default; a send runs after the response, but on a serverless
      // platform it still holds the function instance, so a dead server must be given up quickly.
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      logger: false,
      debug: false,
    });
    holder.chirpyMailTransport = { key, transport };
  }
  return holder.chirpyMailTransport.transport;
}

const smtpFailure = z.object({
  code: z
    .string()
    .regex(/^[A-Z][A-Z_]{0,31}$/)
    .optional(),
  responseCode: z.number().int().optional(),
});

/** What may be logged of a failed send: the error's code and the SMTP reply code, nothing it quotes. */
export function describeMailFailure(error: unknown): string {
  const parsed = smtpFailure.safeParse(error);
  if (!parsed.success || (parsed.data.code === undefined && parsed.data.responseCode === undefined)) {
    return error instanceof Error ? error.name : 'unknown error';
  }
  const { code, responseCode } = parsed.data;
  return [code, responseCode === undefined ? undefined : `SMTP ${responseCode}`].filter(Boolean).join(', ');
}

function printMail(message: MailMessage, from: string): void {
  console.info(
    [
      '--- mail (SMTP_URL is not set: printed here instead of sent; next dev only) ---',
      `From: ${from}`,
      `To: ${message.to}`,
      `Subject: ${message.subject}`,
      '',
      message.text,
      '--- end of mail ---',
    ].join('\n'),
  );
}

export async function sendMail(message: MailMessage): Promise<MailDelivery> {
  const settings = getMailSettings();
  if (settings.smtpUrl === undefined) {
    // checkConfiguration refuses to start without SMTP_URL outside `next dev`; printing a link there
    // would leak it.
    if (!isDevelopmentServer()) throw new Error('SMTP_URL is not set: no way to send mail');
    printMail(message, settings.from);
    return { ok: true };
  }
  try {
    await transportFor(settings.smtpUrl, settings).sendMail({ from: settings.from, ...message });
    return { ok: true };
  } catch (error) {
    return { ok: false, failure: describeMailFailure(error) };
  }
}
