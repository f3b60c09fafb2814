import { NextRequest } from 'next/server';
import { expect } from 'vitest';
import { z } from 'zod';
import { installPeerStamp } from '../lib/http/request-context';
import { MESSAGES } from '../lib/messages';

/** Builds requests the way Next hands them to route handlers and the proxy. */

export const ORIGIN = 'http://localhost:3000';

type RequestOptions = {
  json?: unknown;
  body?: string;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
  bearer?: string;
  /** The request's AbortSignal: aborting it plays a client that hung up. */
  signal?: AbortSignal;
};

export function makeRequest(method: string, path: string, options: RequestOptions = {}): NextRequest {
  const headers = new Headers(options.headers);
  let body: string | undefined = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  if (options.form !== undefined) {
    body = new URLSearchParams(options.form).toString();
    headers.set('content-type', 'application/x-www-form-urlencoded');
  }
  if (options.bearer !== undefined) headers.set('authorization', `Bearer ${options.bearer}`);
  if (options.cookies !== undefined) {
    headers.set(
      'cookie',
      Object.entries(options.cookies)
        .map(([name, value]) => `${name}=${value}`)
        .join('; '),
    );
  }
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  return new NextRequest(new URL(path, ORIGIN), { method, headers, body, ...signal });
}

export type RouteContext<P> = { params: Promise<P> };

export function params<P>(value: P): RouteContext<P> {
  return { params: Promise.resolve(value) };
}

/** Status and parsed JSON body in one step; fails loudly if the body is not JSON. */
export async function jsonOf(response: Response): Promise<{ status: number; body: unknown }> {
  const text = await response.text();
  expect(response.headers.get('content-type') ?? '').toContain('application/json');
  return { status: response.status, body: JSON.parse(text) };
}

export type SetCookie = {
  name: string;
  value: string;
  attributes: Map<string, string | true>;
};

/** The response's Set-Cookie headers, parsed, by cookie name. */
export function setCookies(response: Response): Map<string, SetCookie> {
  const cookies = new Map<string, SetCookie>();
  for (const header of response.headers.getSetCookie()) {
    const [pair = '', ...rest] = header.split(';');
    const separator = pair.indexOf('=');
    const name = pair.slice(0, separator).trim();
    const attributes = new Map<string, string | true>();
    for (const attribute of rest) {
      const [key = '', ...value] = attribute.trim().split('=');
      attributes.set(key.toLowerCase(), value.length > 0 ? value.join('=') : true);
    }
    cookies.set(name, { name, value: decodeURIComponent(pair.slice(separator + 1).trim()), attributes });
  }
  return cookies;
}

/** `Date#toISOString()` output: what every timestamp in a response looks like. */
export const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const errorBody = z.strictObject({ error: z.string().min(1), code: z.string().optional() });

/**
 * The contract's error shape: the status, a JSON body that is exactly `{"error": "<message>"}`.
 * Returns the message so a test can check its wording too.
 */
export async function expectError(response: Response, status: number): Promise<string> {
  const { status: actual, body } = await jsonOf(response);
  const parsed = errorBody.parse(body);
  // A catalogue message carries its key as `code`; any other message carries none.
  const code = Object.entries(MESSAGES).find(([, text]) => text === parsed.error)?.[0];
  const expected = code === undefined ? { error: expect.any(String) } : { error: expect.any(String), code };
  expect({ status: actual, body }).toEqual({ status, body: expected });
  return parsed.error;
}

/** 204 with nothing at all in the body. */
export async function expectNoContent(response: Response): Promise<void> {
  expect(response.status).toBe(204);
  expect(await response.text()).toBe('');
}

/** A request whose body is sent exactly as given, labelled as JSON. */
export function rawJsonRequest(
  method: string,
  path: string,
  body: string,
  options: { bearer?: string; headers?: Record<string, string> } = {},
): NextRequest {
  return makeRequest(method, path, {
    body,
    headers: { 'content-type': 'application/json', ...options.headers },
    ...(options.bearer === undefined ? {} : { bearer: options.bearer }),
  });
}

/**
 * The header the running server stamps on a request from `address` (lib/http/request-context.ts), so a
 * test can play clients on different networks.
 */
export function fromAddress(address: string): Record<string, string> {
  installPeerStamp();
  const nonce = (globalThis as { chirpyPeerNonce?: string }).chirpyPeerNonce;
  if (nonce === undefined) throw new Error('installPeerStamp set no nonce');
  return { 'x-chirpy-peer': `${nonce};http;${address}` };
}

/** A form's fields as a server action receives them. */
export function formData(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
}
