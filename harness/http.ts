import { request } from 'node:http';

/**
 * Single requests to a server the harness started (its health check, a bench's set-up, checks and
 * SQL route), never under load. Only 127.0.0.1; redirects are answers, not followed. Each on a
 * connection of its own: a pooled connection the server closed while a load run kept the caller
 * busy would fail the next call.
 */

export type Answer = { status: number; headers: Headers; text: string };

const SETUP_TIMEOUT_MS = 30_000;

export function send(
  port: number,
  method: 'GET' | 'POST',
  path: string,
  options: { headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { ...options.headers, connection: 'close' },
        agent: false,
        timeout: options.timeoutMs ?? SETUP_TIMEOUT_MS,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const headers = new Headers();
          for (let index = 0; index + 1 < incoming.rawHeaders.length; index += 2) {
            headers.append(incoming.rawHeaders[index] ?? '', incoming.rawHeaders[index + 1] ?? '');
          }
          resolve({ status: incoming.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${path}: no answer in time`)));
    outgoing.on('error', (error) => reject(new Error(`${method} ${path}: ${error.message}`)));
    outgoing.end(options.body);
  });
}

/** `name=value` of every cookie an answer sets (attributes dropped), as a Cookie header would carry them. */
export function cookiesSet(answer: Answer): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const header of answer.headers.getSetCookie()) {
    const pair = header.split(';', 1)[0] ?? '';
    const equals = pair.indexOf('=');
    if (equals > 0) cookies.set(pair.slice(0, equals).trim(), pair.slice(equals + 1).trim());
  }
  return cookies;
}

/** Throws with what came back when an answer is not the one a set-up step needs. */
export function expectStatus(answer: Answer, status: number, what: string): Answer {
  if (answer.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${answer.status}: ${answer.text.slice(0, 300)}`);
  }
  return answer;
}
