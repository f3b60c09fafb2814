import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on loopback that keeps what it is sent, for the unit tests and the
 * end-to-end specs: Chirpy's mail goes through nodemailer and the SMTP protocol exactly as it
 * would to a provider. It asks for the login in SMTP_URL (so a test proves the credentials are
 * used) and, when told to, refuses every message, as a provider that is down or over quota does.
 */

export const CATCHER_USER = 'chirpy';
export const CATCHER_PASSWORD = 'catcher-password';

export type CapturedMail = { from: string; to: string[]; subject: string; text: string; html: string };

export type MailCatcher = {
  /** SMTP_URL for this server, login included. */
  url: string;
  /** Every mail received so far, oldest first. */
  mails: CapturedMail[];
  /** The mails it refused (read, then answered with a failure), oldest first. */
  refused: CapturedMail[];
  /** Resolves with the `index`-th mail (0-based) once it has arrived; rejects after `timeoutMs`. */
  mail(index: number, timeoutMs?: number): Promise<CapturedMail>;
  /** From now on, answer every message with a permanent failure (true) or accept again (false). */
  refuseMessages(refuse: boolean): void;
  close(): Promise<void>;
};

function addressesOf(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || !('value' in value) || !Array.isArray(value.value)) return [];
  return value.value.flatMap((entry: unknown) =>
    typeof entry === 'object' && entry !== null && 'address' in entry && typeof entry.address === 'string'
      ? [entry.address]
      : [],
  );
}

/** `port` 0 (the default) picks a free one; the end-to-end server needs a fixed one. */
export async function startMailCatcher(port = 0): Promise<MailCatcher> {
  const mails: CapturedMail[] = [];
  const refused: CapturedMail[] = [];
  const waiting = new Set<() => void>();
  let refusing = false;
  const server = new SMTPServer({
    secure: false,
    // No STARTTLS: its built-in test certificate would not verify, and loopback needs no TLS.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === CATCHER_USER && auth.password === CATCHER_PASSWORD) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          const mail = {
            from: addressesOf(parsed.from).join(', '),
            to: addressesOf(parsed.to),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
          };
          if (refusing) {
            refused.push(mail);
            // The reply quotes the recipient and a link, as real servers' refusals quote what they
            // disliked: none of it may reach a log.
            const link = mail.text.split('\n').find((line) => line.includes('://')) ?? '';
            const reason = `Mailbox unavailable: ${mail.to.join(', ')} ${link}`;
            callback(Object.assign(new Error(reason), { responseCode: 550 }));
            return;
          }
          mails.push(mail);
          for (const wake of waiting) wake();
          callback();
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error('unreadable message')),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address: AddressInfo | string | null = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('the mail catcher has no TCP port');
  return {
    url: `smtp://${CATCHER_USER}:${CATCHER_PASSWORD}@127.0.0.1:${address.port}`,
    mails,
    refused,
    mail(index, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = mails[index];
          if (found === undefined) return;
          waiting.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiting.delete(check);
          reject(new Error(`no mail #${index + 1} within ${timeoutMs} ms (${mails.length} received)`));
        }, timeoutMs);
        waiting.add(check);
        check();
      });
    },
    refuseMessages(refuse) {
      refusing = refuse;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
