import 'server-only';
import { unstable_rethrow } from 'next/navigation';
import { logFault } from '../db/fault-log';
import { isServerBusy, serverBusy } from './busy';
import { errorResponse, serviceUnavailable } from './responses';

/**
 * The one boundary where thrown errors (bugs, infrastructure faults) become responses. Expected
 * failures never get here: they are returned values mapped by the handler itself. The log says
 * what kind of fault it was (lib/db/fault-log.ts), never a driver's message, which can quote SQL
 * parameters. Routes take it through lib/auth/route-boundary.ts, which also puts a renewed
 * session's cookies on the answer.
 */
export function withFaultBoundary<Args extends unknown[]>(
  route: string,
  handler: (...args: Args) => Promise<Response>,
): (...args: Args) => Promise<Response> {
  return (...args) => answer(route, handler, args);
}

async function answer<Args extends unknown[]>(
  route: string,
  handler: (...args: Args) => Promise<Response>,
  args: Args,
): Promise<Response> {
  try {
    return await handler(...args);
  } catch (error) {
    // A client that hung up is not a fault of ours: nobody reads the answer, nothing is logged.
    if (clientWentAway(args[0])) return errorResponse(400, 'The client closed the request');
    if (isServerBusy(error)) return serverBusy(error.retryAfterSeconds);
    return logFault(route, error) === 'unavailable'
      ? serviceUnavailable()
      : errorResponse(500, 'Internal server error');
  }
}

function clientWentAway(request: unknown): boolean {
  return request instanceof Request && request.signal.aborted;
}

export type FaultCode = 'unavailable' | 'internal_error' | 'busy';

/**
 * The same boundary for server actions. A fault becomes the form state `failed` builds from the
 * submitted arguments (so the form keeps what was typed and says what went wrong), logged the
 * same careful way: left to Next, the log would carry the driver's message.
 */
export function withActionBoundary<Args extends unknown[], State>(
  action: string,
  failed: (code: FaultCode, ...args: Args) => State,
  work: (...args: Args) => Promise<State>,
): (...args: Args) => Promise<State> {
  return catchFaults(work, (error, args) => {
    if (isServerBusy(error)) return failed('busy', ...args);
    return failed(logFault(action, error) === 'unavailable' ? 'unavailable' : 'internal_error', ...args);
  });
}

/**
 * Runs `work`, handing what it throws to `onFault`, except Next's own control-flow errors
 * (redirect(), notFound(), the signals of dynamic rendering): those must reach Next untouched.
 */
export function catchFaults<Args extends unknown[], Result>(
  work: (...args: Args) => Promise<Result>,
  onFault: (error: unknown, args: Args) => Result | Promise<Result>,
): (...args: Args) => Promise<Result> {
  return async (...args) => {
    try {
      return await work(...args);
    } catch (error) {
      unstable_rethrow(error);
      return onFault(error, args);
    }
  };
}
