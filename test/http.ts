import { NextRequest } from 'next/server';
import { expect } from 'vitest';

/** Builds requests the way Next hands them to route handlers and the proxy. */

export const ORIGIN = 'http://localhost:3000';

type RequestOptions = {
  json?: unknown;
  body?: string;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
  bearer?: string;
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
  return new NextRequest(new URL(path, ORIGIN), { method, headers, body });
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
