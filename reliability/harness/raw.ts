import { connect } from 'node:net';
import type { ServerInfo } from './global-setup';
import { REQUEST_TIMEOUT_MS } from './settings';

/**
 * HTTP/1.1 written byte by byte over a socket, for requests no well-behaved client would send:
 * bytes that are not UTF-8 in the path or a header, NUL, a header given twice. One request per
 * connection (Connection: close), and the answer read until the server closes it.
 */

export type RawRequest = {
  method: string;
  /** The request target exactly as sent (latin1: each char one byte). */
  target: string;
  /** In order; a name may repeat. Values are latin1 strings (each char one byte). */
  headers: Array<[string, string]>;
  body: Buffer;
};

export type RawReply = {
  status: number;
  headers: Record<string, string | string[]>;
  setCookies: string[];
  body: string;
  /** The whole answer arrived: the body as long as Content-Length said, or chunks up to the last. */
  complete: boolean;
};

export function encodeRequest(server: ServerInfo, request: RawRequest): Buffer {
  const lines = [`${request.method} ${request.target} HTTP/1.1`, `Host: 127.0.0.1:${server.port}`, 'Connection: close'];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  lines.push(`Content-Length: ${request.body.byteLength}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), request.body]);
}

export function rawSend(server: ServerInfo, request: RawRequest, timeoutMs = REQUEST_TIMEOUT_MS): Promise<RawReply> {
  const bytes = encodeRequest(server, request);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: server.port });
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`no answer to ${request.method} ${request.target.slice(0, 80)} within ${timeoutMs} ms`));
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may answer and close before it has read a large body: what it said still counts.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (chunks.length > 0 && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) return;
      reject(error);
    });
    socket.on('close', () => {
      const reply = parseReply(Buffer.concat(chunks));
      if (reply) resolve(reply);
      else reject(new Error(`no HTTP answer to ${request.method} ${request.target.slice(0, 80)}`));
    });
    // Not end(): Node's server drops a connection the client half-closes, answer and all. It
    // closes the connection itself after answering (Connection: close).
    socket.write(bytes);
  });
}

export function parseReply(received: Buffer): RawReply | null {
  let data = received;
  // Interim answers (100 Continue to an Expect header) come first; the real one follows.
  while (/^HTTP\/1\.[01] 1\d\d /.test(data.subarray(0, 16).toString('latin1'))) {
    const interimEnd = data.indexOf('\r\n\r\n');
    if (interimEnd === -1) return null;
    data = data.subarray(interimEnd + 4);
  }
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return null;
  const [statusLine = '', ...headerLines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) return null;
  const headers: Record<string, string | string[]> = {};
  const setCookies: string[] = [];
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'set-cookie') setCookies.push(value);
    const existing = headers[name];
    headers[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  const rest = data.subarray(end + 4);
  const { body, complete } = readBody(rest, headers);
  return { status, headers, setCookies, body: body.toString('utf8'), complete };
}

function readBody(rest: Buffer, headers: Record<string, string | string[]>): { body: Buffer; complete: boolean } {
  if (String(headers['transfer-encoding'] ?? '').toLowerCase() === 'chunked') return dechunk(rest);
  const length = headers['content-length'];
  if (typeof length === 'string') {
    const expected = Number(length);
    return { body: rest.subarray(0, expected), complete: rest.byteLength >= expected };
  }
  return { body: rest, complete: true };
}

function dechunk(data: Buffer): { body: Buffer; complete: boolean } {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd === -1) return { body: Buffer.concat(parts), complete: false };
    const size = Number.parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size)) return { body: Buffer.concat(parts), complete: false };
    if (size === 0) return { body: Buffer.concat(parts), complete: true };
    const start = lineEnd + 2;
    if (data.byteLength < start + size) return { body: Buffer.concat(parts), complete: false };
    parts.push(data.subarray(start, start + size));
    offset = start + size + 2;
  }
}
