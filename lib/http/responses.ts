import { NextResponse } from 'next/server';
import { MESSAGES } from '../messages';

/** Every error body in Chirpy is `{"error": "..."}`. */
export function errorResponse(status: number, message: string): NextResponse {
  return NextResponse.json({ error: message }, { status });
}

/**
 * 429 for a request over a rate limit: `Retry-After` in whole seconds (when the window ends), and
 * the one catalogue message, whichever limit it was.
 */
export function tooManyRequests(retryAfterSeconds: number): NextResponse {
  const response = errorResponse(429, MESSAGES.rate_limited);
  response.headers.set('Retry-After', String(Math.max(1, Math.ceil(retryAfterSeconds))));
  return response;
}

export function badInputResponse(input: { status: number; error: string }): NextResponse {
  return errorResponse(input.status, input.error);
}

export function jsonResponse(body: unknown, status = 200): NextResponse {
  return NextResponse.json(body, { status });
}

export function noContent(): NextResponse {
  return new NextResponse(null, { status: 204 });
}

/**
 * 303 to a path on this site. The Location stays relative: the browser resolves it against the
 * address it used, which behind a proxy is more reliable than the Host we were given.
 */
export function seeOther(path: string): NextResponse {
  return new NextResponse(null, { status: 303, headers: { Location: path } });
}
