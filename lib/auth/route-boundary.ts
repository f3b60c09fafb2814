import 'server-only';
import { withFaultBoundary } from '../http/boundary';
import { withSessionCookies } from './current-user';

/**
 * What every route handler is wrapped in: thrown faults become answers (lib/http/boundary.ts), and
 * a session renewed on the way to the handler gets its cookies on the answer, error answers
 * included, because the rotation has already happened and the browser must keep the new tokens.
 */
export function withErrorBoundary<Args extends unknown[]>(
  route: string,
  handler: (...args: Args) => Promise<Response>,
): (...args: Args) => Promise<Response> {
  const guarded = withFaultBoundary(route, handler);
  return async (...args) => withSessionCookies(args[0], await guarded(...args));
}
