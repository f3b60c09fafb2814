import { Agent, type IncomingHttpHeaders, type OutgoingHttpHeaders, request } from 'node:http';
import { inject } from 'vitest';
import type { ServerInfo } from './global-setup';
import { recordSecrets } from './secrets';
import { REQUEST_TIMEOUT_MS } from './settings';

/**
 * The suite's HTTP client: plain node:http with keep-alive, loopback only, every header exactly
 * as given. Every answer passes `inspect`, which counts it, keeps any token it carries for the
 * leak check, and notes security headers that are missing and error bodies that say too much.
 */

export const servers: ServerInfo[] = inject('reliabilityServers');
export const runDir = inject('reliabilityRunDir');

/** The instance for the i-th request of a race: alternating, so every race spans both. */
export function serverFor(index: number): ServerInfo {
  const server = servers[index % servers.length];
  if (!server) throw new Error('no servers');
  return server;
}

export type Reply = {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  ms: number;
  setCookies: string[];
};

export type Call = {
  method?: string;
  path: string;
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer;
  json?: unknown;
  bearer?: string;
  cookies?: Record<string, string | undefined>;
  /** The client address the servers' (trusted) proxy reports: X-Forwarded-For. */
  ip?: string;
  /** A browser's same-origin marker on a write (Sec-Fetch-Site: same-origin). */
  sameOrigin?: boolean;
  timeoutMs?: number;
};

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export const stats = { requests: 0 };

export type Finding = { where: string; status: number; problem: string; excerpt: string };
/** Responses without the security headers, and error bodies carrying a stack, SQL or a file path. */
export const findings: { headers: Finding[]; errorBodies: Finding[]; parserRejections: number; errorsSeen: number } = {
  headers: [],
  errorBodies: [],
  parserRejections: 0,
  errorsSeen: 0,
};

export function cookieHeader(cookies: Record<string, string | undefined>): string {
  return Object.entries(cookies)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
}

function headersFor(server: ServerInfo, call: Call, body: Buffer | undefined): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { ...call.headers };
  if (call.json !== undefined) headers['content-type'] ??= 'application/json';
  if (call.bearer !== undefined) headers.authorization = `Bearer ${call.bearer}`;
  if (call.cookies) headers.cookie = cookieHeader(call.cookies);
  if (call.ip !== undefined) headers['x-forwarded-for'] = call.ip;
  if (call.sameOrigin) {
    headers['sec-fetch-site'] = 'same-origin';
    headers.origin = server.url;
  }
  if (body !== undefined) headers['content-length'] = String(body.byteLength);
  return headers;
}

export async function send(server: ServerInfo, call: Call): Promise<Reply> {
  const body =
    call.json !== undefined
      ? Buffer.from(JSON.stringify(call.json))
      : call.body === undefined
        ? undefined
        : Buffer.from(call.body);
  const method = call.method ?? (body === undefined ? 'GET' : 'POST');
  const headers = headersFor(server, call, body);
  const started = performance.now();
  stats.requests += 1;
  const reply = await new Promise<Reply>((resolve, reject) => {
    const outgoing = request(
      { host: '127.0.0.1', port: server.port, method, path: call.path, headers, agent },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        // A body cut short (the server died or dropped the connection mid-answer) is an error here.
        response.on('aborted', () => reject(new Error(`partial response from ${method} ${call.path}`)));
        response.on('error', reject);
        response.on('end', () => {
          if (!response.complete) {
            reject(new Error(`partial response from ${method} ${call.path}`));
            return;
          }
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
            setCookies: response.headers['set-cookie'] ?? [],
          });
        });
      },
    );
    outgoing.setTimeout(call.timeoutMs ?? REQUEST_TIMEOUT_MS, () => {
      outgoing.destroy(
        new Error(`no answer to ${method} ${call.path} within ${call.timeoutMs ?? REQUEST_TIMEOUT_MS} ms`),
      );
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
  inspect(`${method} ${call.path}`, reply);
  return reply;
}

/** A stack frame, SQL, a driver's words or a file path: nothing a client should ever read. */
const TELLTALES: Array<[string, RegExp]> = [
  ['stack frame', /\bat [\w$.<>]+ \(|^\s+at \S+/m],
  ['stack frame', /\w\.(?:js|ts|tsx|mjs|cjs):\d+:\d+/],
  ['SQL', /\b(?:select|insert|update|delete)\b[\s\S]{1,200}\b(?:from|into|set|where)\b/i],
  [
    'SQL',
    /\b(?:relation|column) "[^"]+"|syntax error at|duplicate key|violates|invalid input syntax|DrizzleQueryError/i,
  ],
  ['file path', /(?:\/work\/|\/home\/|\/tmp\/|\/root\/|\/usr\/|\/var\/|node_modules|[A-Z]:\\)/],
  ['file path', /\.next\/server/],
];

/** Our own asset URLs in HTML pages are addresses, not file paths. */
function withoutAssetUrls(body: string): string {
  return body.replace(/\/_next\/static\/[\w./-]+/g, '');
}

/** What `inspect` reads of an answer: node:http's or the raw client's. */
export type Inspected = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  setCookies: string[];
};

export function inspect(where: string, reply: Inspected): void {
  captureSecrets(reply);
  // Node's HTTP server refuses some requests before any application code runs: malformed framing
  // or headers over 16 KiB (a bare status line), an Expect header it does not know (417).
  const beforeTheApp = reply.headers.date === undefined && [400, 413, 414, 431].includes(reply.status);
  if (beforeTheApp || (reply.status === 417 && reply.body === '')) {
    findings.parserRejections += 1;
    return;
  }
  checkSecurityHeaders(where, reply);
  if (reply.status >= 400) {
    findings.errorsSeen += 1;
    const text = withoutAssetUrls(reply.body);
    for (const [problem, pattern] of TELLTALES) {
      const match = pattern.exec(text);
      if (match) {
        const excerpt = text.slice(Math.max(0, match.index - 60), match.index + 120);
        findings.errorBodies.push({ where, status: reply.status, problem, excerpt });
        break;
      }
    }
  }
}

function checkSecurityHeaders(where: string, reply: Pick<Inspected, 'status' | 'headers'>): void {
  const problems: string[] = [];
  if (reply.headers['x-content-type-options'] !== 'nosniff') problems.push('no X-Content-Type-Options: nosniff');
  if (!reply.headers['referrer-policy']) problems.push('no Referrer-Policy');
  const csp = reply.headers['content-security-policy'];
  if (typeof csp !== 'string' || !/frame-ancestors 'none'/.test(csp)) problems.push("no frame-ancestors 'none'");
  if (problems.length > 0) {
    findings.headers.push({ where, status: reply.status, problem: problems.join(', '), excerpt: '' });
  }
}

const TOKEN_FIELDS = /"(?:token|refresh_token|challenge_id)":"([^"]+)"/g;

function captureSecrets(reply: Pick<Reply, 'body' | 'setCookies'>): void {
  const found: string[] = [];
  for (const match of reply.body.matchAll(TOKEN_FIELDS)) if (match[1]) found.push(match[1]);
  for (const cookie of parseSetCookies(reply.setCookies)) if (cookie.value) found.push(cookie.value);
  recordSecrets(runDir, ...found);
}

export type SetCookie = { name: string; value: string; maxAge: number | null };

export function parseSetCookies(lines: string[]): SetCookie[] {
  return lines.map((line) => {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    const maxAge = attributes.map((part) => /^\s*max-age=(-?\d+)/i.exec(part)?.[1]).find((value) => value);
    return {
      name: pair.slice(0, eq).trim(),
      value: pair.slice(eq + 1).trim(),
      maxAge: maxAge === undefined ? null : Number(maxAge),
    };
  });
}

/** The value a Set-Cookie line gives `name`, or undefined when the answer does not set it. */
export function setCookieValue(reply: Pick<Reply, 'setCookies'>, name: string): SetCookie | undefined {
  return parseSetCookies(reply.setCookies).find((cookie) => cookie.name === name);
}

export function jsonBody(reply: Pick<Reply, 'body'>): unknown {
  return JSON.parse(reply.body);
}

/** A client address of a part's own (TEST-NET and private ranges), so parts never share a bucket. */
export function randomAddress(): string {
  const octet = () => Math.floor(Math.random() * 254) + 1;
  return `10.${octet()}.${octet()}.${octet()}`;
}
