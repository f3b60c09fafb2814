import { DatabaseLockedError } from './pglite-lock';

/**
 * Classifies errors thrown by the three drivers. Drizzle wraps driver errors in DrizzleQueryError
 * with the Postgres error on `cause`, so look there as well as on the error itself.
 */

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    if ('code' in current && typeof current.code === 'string') codes.push(current.code);
    current = 'cause' in current ? current.cause : undefined;
  }
  return codes;
}

export function isUniqueViolation(error: unknown): boolean {
  return errorCodes(error).includes('23505');
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '3D000', // invalid_catalog_name: the database does not exist
]);

/** A fault of the database's reachability (503), as opposed to a bug (500). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError || error instanceof DatabaseLockedError) return true;
  if (isErrorEvent(error)) return true;
  return errorCodes(error).some((code) => UNAVAILABLE_CODES.has(code) || code.startsWith('08'));
}

/** The WebSocket driver (@vercel/postgres) rejects with an error event, which is not an Error. */
function isErrorEvent(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    !(error instanceof Error) &&
    'type' in error &&
    error.type === 'error'
  );
}

export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

/**
 * What may be logged about an error: class, codes and stack frames, never the message, which can
 * quote a query's parameters or a request body (a password, a token).
 */
export function describeError(error: unknown): string {
  const name = error instanceof Error ? error.name : typeof error;
  const codes = errorCodes(error);
  const head = codes.length > 0 ? `${name} (${codes.join(', ')})` : name;
  const frames = error instanceof Error ? (error.stack?.split('\n').filter((line) => /^\s+at /.test(line)) ?? []) : [];
  return [head, ...frames.slice(0, 8)].join('\n');
}
