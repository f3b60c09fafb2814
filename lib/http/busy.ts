import 'server-only';
import type { NextResponse } from 'next/server';
import { MESSAGES } from '../messages';
import { errorResponse } from './responses';

/**
 * The server is at a capacity limit it sets itself (the password-hash queue): the request gets a
 * 503 with Retry-After at once instead of a place at the end of an ever longer line. Like a
 * database outage it can be met deep inside any flow that hashes a password (sign-in, sign-up,
 * a password change or reset), so it is thrown there and answered once, at the boundary
 * (lib/http/boundary.ts), rather than threaded through every flow's result.
 */
export class ServerBusyError extends Error {
  override name = 'ServerBusyError';

  constructor(
    what: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`${what} is at capacity`);
  }
}

/**
 * Recognised by its shape, not only by `instanceof`: Next may bundle this module more than once
 * (route handlers, server actions), and an error made by one copy must still be known to another.
 */
export function isServerBusy(error: unknown): error is ServerBusyError {
  return (
    error instanceof Error &&
    error.name === 'ServerBusyError' &&
    'retryAfterSeconds' in error &&
    typeof error.retryAfterSeconds === 'number'
  );
}

export function serverBusy(retryAfterSeconds: number): NextResponse {
  return errorResponse(503, MESSAGES.busy, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
}
