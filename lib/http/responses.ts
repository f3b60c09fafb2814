import { NextResponse } from 'next/server';
import { MESSAGES } from '../messages';

/**
 * API answers are never stored by a browser or a shared cache: they carry tokens (login, refresh)
 * or one user's data, and OAuth requires no-store on token responses. One rule for every answer.
 */
const NO_STORE = { 'Cache-Control': 'no-store' };

const CODES: ReadonlyMap<string, string> = new Map(Object.entries(MESSAGES).map(([code, text]) => [text, code]));

/**
 * Every error body in Chirpy is `{"error": "..."}`; a message from the catalogue also carries its
 * key as `code`, which a client can match on while the wording stays free to change.
 */
export function errorResponse(status: number, message: string, headers: Record<string, string> = {}): NextResponse {
  const code = CODES.get(message);
  const body = code === undefined ? { error: message } : { error: message, code };
  return NextResponse.json(body, { status, headers: { ...NO_STORE, ...headers } });
}

/** Seconds a client should wait before trying again while the database is unreachable. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

export const DATABASE_UNAVAILABLE = 'Service unavailable: the database is not answering';

export function serviceUnavailable(): NextResponse {
  return errorResponse(503, DATABASE_UNAVAILABLE, { 'Retry-After': String(OUTAGE_RETRY_AFTER_SECONDS) });
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

/**
 * A refused request's answer: 429 with Retry-After when a rate limit refused it, else `status`
 * with `error`. Every flow that counts attempts returns its limit refusal this way.
 */
export function refusalResponse(
  failure: { reason: 'rate_limited'; retryAfterSeconds: number } | { reason: string },
  status: number,
  error: string,
): NextResponse {
  return 'retryAfterSeconds' in failure ? tooManyRequests(failure.retryAfterSeconds) : errorResponse(status, error);
}

export function badInputResponse(input: { status: number; error: string }): NextResponse {
  return errorResponse(input.status, input.error);
}

export function jsonResponse(body: unknown, status = 200): NextResponse {
  return NextResponse.json(body, { status, headers: NO_STORE });
}

/** 202 with no body: taken in, with nothing to say (a reset request says nothing about the account). */
export function accepted(): NextResponse {
  return new NextResponse(null, { status: 202, headers: NO_STORE });
}

export function noContent(): NextResponse {
  return new NextResponse(null, { status: 204, headers: NO_STORE });
}
