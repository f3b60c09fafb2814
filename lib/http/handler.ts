import 'server-only';
import { unstable_rethrow } from 'next/navigation';
import { describeError, isDatabaseUnavailable } from '../db/errors';
import { errorResponse } from './responses';

/**
 * The one boundary where thrown errors (bugs, infrastructure faults) become responses. Expected
 * failures never get here: they are returned values mapped by the handler itself. The log line
 * names the error's class and codes only: a driver's message can quote SQL parameters.
 */
export function withErrorBoundary<Args extends unknown[]>(
  route: string,
  handler: (...args: Args) => Promise<Response>,
): (...args: Args) => Promise<Response> {
  return async (...args) => {
    try {
      return await handler(...args);
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        console.error(`${route}: database unavailable:`, describeError(error));
        return errorResponse(503, 'Service unavailable: the database is not answering');
      }
      console.error(`${route}: unexpected error:`, describeError(error));
      return errorResponse(500, 'Internal server error');
    }
  };
}

export type FaultCode = 'unavailable' | 'internal_error';

/**
 * The same boundary for server actions. A fault becomes the form state `failed` builds from the
 * submitted arguments (so the form keeps what was typed and says what went wrong), logged the
 * same careful way: left to Next, the log would carry the driver's message. redirect() and
 * notFound() work by throwing, so Next's own control-flow errors pass through untouched.
 */
export function withActionBoundary<Args extends unknown[], State>(
  action: string,
  failed: (code: FaultCode, ...args: Args) => State,
  work: (...args: Args) => Promise<State>,
): (...args: Args) => Promise<State> {
  return async (...args) => {
    try {
      return await work(...args);
    } catch (error) {
      unstable_rethrow(error);
      const unavailable = isDatabaseUnavailable(error);
      console.error(`${action}: ${unavailable ? 'database unavailable' : 'unexpected error'}:`, describeError(error));
      return failed(unavailable ? 'unavailable' : 'internal_error', ...args);
    }
  };
}
