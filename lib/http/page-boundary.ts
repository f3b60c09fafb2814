import 'server-only';
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import { DynamicServerError } from 'next/dist/client/components/hooks-server-context';
import { databaseUnavailableCause } from '../db/errors';
import { logFault } from '../db/fault-log';
import { catchFaults } from './boundary';
import { type PageAnswer, unavailablePageAnswer } from './error-pages';

/**
 * The boundary for pages, beside withErrorBoundary (route handlers) and withActionBoundary (server
 * actions): a page whose reads meet a database outage answers the proxy's 503 page with
 * Retry-After, and the log gets the one outage line (lib/db/fault-log.ts).
 *
 * Next gives a render no say over its status: an error thrown while rendering becomes a 500 with
 * app/global-error.tsx, and Next logs it whole, message included, and a driver's message quotes
 * the SQL and its parameters. Only Next's own errors (redirects, notFound, DynamicServerError) are
 * not logged, and only notFound and friends set a status: 401, 403 or 404, never 503. So:
 * - the server runs each request in a scope that knows its response (`installPageOutageAnswers`,
 *   started with the server, like the peer stamp);
 * - a page that meets the outage logs it, and the response Next is about to write (its 500 error
 *   page) goes out as the 503 page instead, with Next's other headers (the security headers, the
 *   page's policy, cookies a renewal set on the way);
 * - the render then ends with a DynamicServerError, which Next does not log. Where the response
 *   cannot be taken over (already started, a server action's POST, or a platform that runs no
 *   `http.Server`), that still leaves the global error page (500) without a stack or SQL in the log.
 * Any other error passes through to Next unchanged.
 */
export function withPageBoundary<Args extends unknown[], Result>(
  where: string,
  render: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  return catchFaults(render, (error) => {
    if (databaseUnavailableCause(error) === null) throw error;
    answerUnavailable(where, error);
    throw new DynamicServerError('the database is unavailable; the request was answered with a 503 page');
  });
}

type Scope = { method: string; response: http.ServerResponse; outage: boolean };

// On globalThis: the server's patch and the pages' bundles must share one scope.
const holder = globalThis as typeof globalThis & {
  chirpyRequestScope?: AsyncLocalStorage<Scope>;
  chirpyPageOutageAnswers?: boolean;
};

function requestScope(): AsyncLocalStorage<Scope> {
  holder.chirpyRequestScope ??= new AsyncLocalStorage<Scope>();
  return holder.chirpyRequestScope;
}

/** Patches Node's HTTP server once per process so each request runs in a scope holding its response. */
export function installPageOutageAnswers(): void {
  if (holder.chirpyPageOutageAnswers) return;
  holder.chirpyPageOutageAnswers = true;
  const scope = requestScope();
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function scopedEmit(this: http.Server, event: string, ...args: unknown[]): boolean {
    const [request, response] = args;
    if (
      event !== 'request' ||
      !(request instanceof http.IncomingMessage) ||
      !(response instanceof http.ServerResponse)
    ) {
      return Reflect.apply(emit, this, [event, ...args]);
    }
    const current = { method: request.method ?? 'GET', response, outage: false };
    return scope.run(current, () => Reflect.apply(emit, this, [event, ...args]));
  };
}

/**
 * Once per request: a page and its layout often meet the same outage (they share the session
 * read), and that is one failed request, one answer, at most one log line. Only a page view (GET,
 * HEAD) is answered with the page: a server action's POST expects Next's own answer.
 */
function answerUnavailable(where: string, error: unknown): void {
  const scope = requestScope().getStore();
  if (scope?.outage) return;
  logFault(where, error);
  if (scope === undefined) return;
  scope.outage = true;
  const pageView = scope.method === 'GET' || scope.method === 'HEAD';
  if (pageView && !scope.response.headersSent) answerInstead(scope.response, unavailablePageAnswer());
}

/**
 * Whatever Next writes next on this response goes out as `answer`: its status and headers at the
 * moment Next sends its own, its body in place of Next's. The methods are replaced on this one
 * response (after any that wrap them, such as compression's), and they keep the stream's
 * contract: writes report success and call back, the response ends once, and 'finish' follows.
 */
function answerInstead(response: http.ServerResponse, answer: PageAnswer): void {
  const writeHead = response.writeHead;
  const end = response.end;
  let ended = false;
  replace(response, 'writeHead', () => {
    response.removeHeader('Content-Length');
    for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
    return Reflect.apply(writeHead, response, [answer.status]);
  });
  replace(response, 'write', (...args: unknown[]) => {
    const callback = args.find((arg) => typeof arg === 'function');
    if (typeof callback === 'function') process.nextTick(() => Reflect.apply(callback, undefined, []));
    return true;
  });
  replace(response, 'end', (...args: unknown[]) => {
    const callback = args.find((arg) => typeof arg === 'function');
    if (ended) {
      if (typeof callback === 'function') process.nextTick(() => Reflect.apply(callback, undefined, []));
      return response;
    }
    ended = true;
    return Reflect.apply(end, response, typeof callback === 'function' ? [answer.body, callback] : [answer.body]);
  });
}

function replace(response: http.ServerResponse, method: 'writeHead' | 'write' | 'end', value: unknown): void {
  Object.defineProperty(response, method, { value, configurable: true, writable: true });
}
