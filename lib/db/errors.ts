import { DatabaseLockedError } from './pglite-lock';

/**
 * Classifies errors thrown by the three drivers. Drizzle wraps driver errors in DrizzleQueryError
 * with the Postgres error on `cause`, so look there as well as on the error itself.
 */

/**
 * The error and what it wraps: `cause` (Drizzle), or `error` on the WebSocket driver's error
 * event (a plain query rejects with DrizzleQueryError → ErrorEvent → the socket's Error).
 */
function errorChain(error: unknown): object[] {
  const chain: object[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    chain.push(current);
    if ('cause' in current) current = current.cause;
    else current = isErrorEvent(current) && 'error' in current ? current.error : undefined;
  }
  return chain;
}

function errorCodes(error: unknown): string[] {
  return errorChain(error).flatMap((link) => ('code' in link && typeof link.code === 'string' ? [link.code] : []));
}

export function isUniqueViolation(error: unknown): boolean {
  return errorCodes(error).includes('23505');
}

/**
 * A named prepared statement that the server connection does not have (26000) or already has
 * (42P05): what a pooler in transaction mode causes when it does not keep prepared statements.
 * Either fails before the statement runs. The code, or null for any other error.
 */
export function preparedStatementCollision(error: unknown): '26000' | '42P05' | null {
  const codes = errorCodes(error);
  if (codes.includes('42P05')) return '42P05';
  if (codes.includes('26000')) return '26000';
  return null;
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
  '57014', // query_canceled: the server's statement_timeout (DATABASE_QUERY_TIMEOUT_MS)
  '3D000', // invalid_catalog_name: the database does not exist
]);

/**
 * `pg` reports a connection that went away mid-query, or never came, with these messages and no
 * code. They are the driver's own words (no query text or parameters), matched at their start.
 */
const QUERY_TIMEOUT_MESSAGE = 'Query read timeout';

const UNAVAILABLE_MESSAGES = [
  QUERY_TIMEOUT_MESSAGE,
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

/** The driver gave up waiting for an answer (DATABASE_QUERY_TIMEOUT_MS, lib/db/query-timeout.ts). */
export function isQueryTimeout(error: unknown): boolean {
  return errorChain(error).some((link) => link instanceof Error && link.message === QUERY_TIMEOUT_MESSAGE);
}

function unavailableMessage(link: object): string | undefined {
  if (!(link instanceof Error)) return undefined;
  return UNAVAILABLE_MESSAGES.find((prefix) => link.message.startsWith(prefix));
}

/**
 * Why the database is unreachable, in a few words fit for a log line (a code, a driver message,
 * or the lock), or null when the error is something else: a bug, or bad data (500).
 */
export function databaseUnavailableCause(error: unknown): string | null {
  if (error instanceof DatabaseLockedError) return 'embedded database locked by another process';
  const chain = errorChain(error);
  if (chain.some(isErrorEvent)) return 'WebSocket error';
  const code = errorCodes(error).find((candidate) => UNAVAILABLE_CODES.has(candidate) || candidate.startsWith('08'));
  if (code !== undefined) return code;
  for (const link of chain) {
    const message = unavailableMessage(link);
    if (message !== undefined) return message;
  }
  return null;
}

/** A fault of the database's reachability (503), as opposed to a bug (500). */
export function isDatabaseUnavailable(error: unknown): boolean {
  return databaseUnavailableCause(error) !== null;
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

/**
 * What may be logged about an error: class, codes and stack frames, never the message, which can
 * quote a query's parameters or a request body (a password, a token).
 */
export function describeError(error: unknown): string {
  const name = error instanceof Error ? error.name : isErrorEvent(error) ? 'ErrorEvent' : typeof error;
  const codes = errorCodes(error);
  const head = codes.length > 0 ? `${name} (${codes.join(', ')})` : name;
  const frames = error instanceof Error ? (error.stack?.split('\n').filter((line) => /^\s+at /.test(line)) ?? []) : [];
  return [head, ...frames.slice(0, 8)].join('\n');
}
