import 'server-only';
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import { getAppOrigin, getProxyTrust, isDevelopmentServer, type ProxyTrust } from '../config';

/**
 * Who is really on the other end of a request, and how far to believe `X-Forwarded-*`.
 *
 * Next's own server keeps whatever `X-Forwarded-For`, `-Host` and `-Proto` a client sends, and
 * gives route handlers no socket address. So, unless TRUST_PROXY says a proxy in front sets those
 * headers, they are ignored, and the facts come from a stamp the server puts on every request it
 * accepts (installPeerStamp, called at start by instrumentation.ts): the TCP peer's address and
 * whether the socket is TLS. The stamp carries a per-process nonce, so a client sending a header
 * of that name gains nothing.
 */

const PEER_HEADER = 'x-chirpy-peer';

const stampState = globalThis as typeof globalThis & { chirpyPeerNonce?: string };

type Peer = { address: string | null; secure: boolean };

/**
 * Patches Node's HTTP server once per process so each request carries its peer as a stamp, and a
 * proxy in front that TRUST_PROXY does not name is noticed (warnOfUntrustedForwarding).
 */
export function installPeerStamp(): void {
  if (stampState.chirpyPeerNonce !== undefined) return;
  const nonce = randomBytes(16).toString('hex');
  stampState.chirpyPeerNonce = nonce;
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function stampedEmit(this: http.Server, event: string, ...args: unknown[]): boolean {
    const request = args[0];
    if (event === 'request' && isIncomingMessage(request)) {
      stamp(request, nonce);
      warnOfUntrustedForwarding(request.headers);
    }
    return Reflect.apply(emit, this, [event, ...args]);
  };
}

function isIncomingMessage(value: unknown): value is IncomingMessage {
  return typeof value === 'object' && value !== null && 'socket' in value && 'headers' in value;
}

function stamp(request: IncomingMessage, nonce: string): void {
  const socket = request.socket;
  const secure = 'encrypted' in socket && socket.encrypted === true;
  request.headers[PEER_HEADER] = `${nonce};${secure ? 'https' : 'http'};${socket.remoteAddress ?? ''}`;
}

function readPeer(headers: Headers): Peer | null {
  const nonce = stampState.chirpyPeerNonce;
  const value = headers.get(PEER_HEADER);
  if (nonce === undefined || value === null) return null;
  const [given, protocol, address] = value.split(';');
  if (given !== nonce) return null;
  return { address: address ? normalizeAddress(address) : null, secure: protocol === 'https' };
}

/** `::ffff:127.0.0.1` and `127.0.0.1` are one client. */
function normalizeAddress(address: string): string {
  const trimmed = address.trim();
  return trimmed.startsWith('::ffff:') && trimmed.includes('.') ? trimmed.slice('::ffff:'.length) : trimmed;
}

function listHeader(headers: Headers, name: string): string[] {
  return (headers.get(name) ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/**
 * The client's address for rate limits and the session list. With N trusted proxies, each of
 * them appended the address it saw to X-Forwarded-For, so the client is the Nth entry from the
 * right; anything further left was written by the client and is not believed.
 */
export function clientAddress(headers: Headers, trust: ProxyTrust = getProxyTrust()): string | null {
  if (trust.kind === 'vercel') {
    const address = headers.get('x-real-ip') ?? listHeader(headers, 'x-forwarded-for')[0];
    return address ? normalizeAddress(address) : null;
  }
  if (trust.kind === 'hops') {
    const entries = listHeader(headers, 'x-forwarded-for');
    const entry = entries[entries.length - trust.hops];
    if (entry !== undefined) return normalizeAddress(entry);
  }
  return readPeer(headers)?.address ?? null;
}

/** Served over https: said by a trusted proxy, or seen on the socket (or, failing both, the URL). */
export function isSecureRequest(headers: Headers, url?: URL, trust: ProxyTrust = getProxyTrust()): boolean {
  if (trust.kind !== 'none') {
    const forwarded = listHeader(headers, 'x-forwarded-proto')[0]?.toLowerCase();
    if (forwarded) return forwarded === 'https';
  }
  const peer = readPeer(headers);
  if (peer) return peer.secure;
  return url?.protocol === 'https:';
}

/** The host the client addressed: a trusted proxy's X-Forwarded-Host, otherwise Host. */
export function requestHost(headers: Headers, trust: ProxyTrust = getProxyTrust()): string | null {
  if (trust.kind !== 'none') {
    const forwarded = listHeader(headers, 'x-forwarded-host')[0];
    if (forwarded) return forwarded;
  }
  return headers.get('host');
}

/**
 * The origin that links sent out of band (a reset mail) point at: APP_URL. Only under `next dev`,
 * without it, the host this request was addressed to, so `npm run dev` works on any port. Never
 * anywhere else: a request with a forged Host would get a victim's reset link pointed at the
 * attacker's own site (checkConfiguration refuses to start without APP_URL).
 */
export function publicOrigin(headers: Headers): string {
  const configured = getAppOrigin();
  if (configured !== undefined) return configured;
  if (!isDevelopmentServer()) throw new Error('APP_URL is not set: no trustworthy origin for links');
  const scheme = isSecureRequest(headers) ? 'https' : 'http';
  try {
    return new URL(`${scheme}://${requestHost(headers) ?? 'localhost'}`).origin;
  } catch {
    return `${scheme}://localhost`;
  }
}

/** What the session list and the audit log record about where a request came from. */
export type RequestContext = { ip: string | null; userAgent: string | null };

const MAX_USER_AGENT_LENGTH = 512;

export function requestContext(headers: Headers): RequestContext {
  const userAgent = headers.get('user-agent');
  return {
    ip: clientAddress(headers),
    userAgent: userAgent === null ? null : userAgent.slice(0, MAX_USER_AGENT_LENGTH),
  };
}

// On globalThis: one warning per process, however many copies of this module the server loads.
const warningState = globalThis as typeof globalThis & { chirpyForwardingWarned?: boolean };

/**
 * TRUST_PROXY=none behind a proxy is a mistake nothing else reveals: every client then has the
 * proxy's address, so one client can use up everyone's sign-in and sign-up limits. A client may
 * send X-Forwarded-For itself, but a request arriving with one most likely came through a proxy:
 * say so once, naming the setting that fixes it. Read from the raw request (by installPeerStamp),
 * before Next adds an X-Forwarded-For of its own to every request.
 */
function warnOfUntrustedForwarding(headers: IncomingMessage['headers']): void {
  if (warningState.chirpyForwardingWarned || headers['x-forwarded-for'] === undefined) return;
  if (getProxyTrust().kind !== 'none') return;
  warningState.chirpyForwardingWarned = true;
  console.warn(
    'TRUST_PROXY is none (the default off Vercel), but requests arrive with X-Forwarded-For: a proxy seems to be ' +
      "in front of Chirpy, and every client then has its address, so one client can use up everyone's rate " +
      'limits. Set TRUST_PROXY=1 (or the number of proxies that append to X-Forwarded-For), or TRUST_PROXY=vercel ' +
      'on Vercel; see docs/configuration.md, "Behind a proxy: TRUST_PROXY". Said once per process.',
  );
}

/** Tests: the next request with X-Forwarded-For warns again. */
export function resetForwardingWarning(): void {
  warningState.chirpyForwardingWarned = false;
}
