import 'server-only';
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
