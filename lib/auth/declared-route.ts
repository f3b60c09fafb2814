import 'server-only';
import type { NextRequest } from 'next/server';
import type { z } from 'zod';
import { readAuthorization } from '../http/authorization';
import {
  checkDeclaredResponse,
  type DeclaredHandler,
  type DeclaredInput,
  type DeclaredResponse,
  errorBodySchema,
  type RouteContext,
  type RouteDeclaration,
  readDeclaredInput,
} from '../http/declare-route';
import { badInputResponse, errorResponse } from '../http/responses';
import { isSecureNextRequest, readSessionCookies, type SessionCookieTokens } from './cookies';
import { crossSiteRefusal } from './csrf';
import { type Authentication, authenticateRequest, refusal } from './current-user';
import { withErrorBoundary } from './route-boundary';

type Signed = Extract<Authentication, { ok: true }>;

/**
 * What must hold before anything is read (a shared secret: Polka's API key, the scheduler's
 * secret; or a feature turned on, 404 while it is off), and the refusal when it does not. The
 * refusal is declared with the check, so the document names the status the route answers.
 */
export type Gate = {
  allows: (headers: Headers) => boolean;
  status: 401 | 403 | 404;
  error: string;
  description: string;
};

export function refuseUnless(allows: Gate['allows'], status: Gate['status'], error: string, description: string): Gate {
  return { allows, status, error, description };
}

function gateRefusal(gate: Gate): DeclaredResponse {
  return { description: gate.description, body: errorBodySchema };
}

/** The refusals of a route for a signed-in caller, whoever checks the caller. */
export const SIGNED_IN_REFUSALS: Record<number, DeclaredResponse> = {
  401: { description: 'No valid access token or session', body: errorBodySchema },
  403: { description: 'A cookie-authenticated write from another site', body: errorBodySchema },
  429: { description: 'Too many session renewals (Retry-After)', body: errorBodySchema },
};

type Handler<B, Q, P, Extra> = (
  input: DeclaredInput<B, Q, P> & Extra & { request: NextRequest; context: RouteContext },
) => Promise<Response>;

/**
 * A route that authenticates in its own way or not at all: parsed input in, answer out. Routes
 * whose session check is part of the write itself read the request here.
 */
export function declareRoute<
  B extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  P extends z.ZodType | undefined,
>(declaration: RouteDeclaration<B, Q, P>, handler: Handler<B, Q, P, object>, gate?: Gate): DeclaredHandler {
  const responses = gate ? { ...declaration.responses, [gate.status]: gateRefusal(gate) } : declaration.responses;
  return declared({ ...declaration, responses }, async (request, context) => {
    if (gate && !gate.allows(request.headers)) return errorResponse(gate.status, gate.error);
    const input = await readDeclaredInput(declaration, request, context);
    if (!input.ok) return badInputResponse(input);
    return handler({ ...input.data, request, context });
  });
}

/**
 * A route for a signed-in caller (Bearer access token or the session cookies): the caller is
 * checked before anything is read, so a caller whose session is over hears 401 whatever it sent.
 */
export function declareSignedInRoute<
  B extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  P extends z.ZodType | undefined,
>(declaration: RouteDeclaration<B, Q, P>, handler: Handler<B, Q, P, { auth: Signed }>): DeclaredHandler {
  const withRefusals = { ...declaration, responses: { ...SIGNED_IN_REFUSALS, ...declaration.responses } };
  return declared(withRefusals, async (request, context) => {
    const auth = await authenticateRequest(request);
    if (!auth.ok) return refusal(auth);
    const input = await readDeclaredInput(declaration, request, context);
    if (!input.ok) return badInputResponse(input);
    return handler({ ...input.data, auth, request, context });
  });
}

export const MISSING_REFRESH_TOKEN = 'Missing refresh token: send "Authorization: Bearer <refresh token>"';

/** The refusals of a route for a refresh token, however it came. */
const REFRESH_REFUSALS: Record<number, DeclaredResponse> = {
  401: { description: 'A malformed Authorization header, or no token at all', body: errorBodySchema },
  403: { description: 'A cookie request from another site', body: errorBodySchema },
};

/** A browser's call with its session cookies (at least one of them), from our own pages. */
export type CookieCall = { request: NextRequest; cookies: SessionCookieTokens; secure: boolean };

/**
 * A route whose `auth` is `refresh`: an API client's `Authorization: Bearer <refresh token>` goes
 * to `bearer`; without the header, the browser's session cookies go to `cookies`, once they are
 * there and the request keeps the CSRF rule (cookies authenticate whatever the browser sends). A
 * malformed header is refused rather than read as "no header": the client meant a token.
 */
export function declareRefreshTokenRoute(
  declaration: Omit<RouteDeclaration<undefined, undefined, undefined>, 'auth'>,
  handlers: {
    bearer: (token: string, request: NextRequest) => Promise<Response>;
    cookies: (call: CookieCall) => Promise<Response>;
  },
): DeclaredHandler {
  const responses = { ...REFRESH_REFUSALS, ...declaration.responses };
  return declareRoute({ ...declaration, auth: 'refresh', responses }, async ({ request }) => {
    const authorization = readAuthorization(request.headers, 'Bearer');
    if (authorization.present) {
      if (!authorization.ok)
        return errorResponse(401, 'Malformed Authorization header: expected "Bearer <refresh token>"');
      return handlers.bearer(authorization.credentials, request);
    }
    const secure = isSecureNextRequest(request);
    const cookies = readSessionCookies(request.cookies, secure);
    if (cookies.access === undefined && cookies.refresh === undefined) return errorResponse(401, MISSING_REFRESH_TOKEN);
    return crossSiteRefusal(request) ?? handlers.cookies({ request, cookies, secure });
  });
}

function declared(
  declaration: RouteDeclaration<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>,
  handler: (request: NextRequest, context: RouteContext) => Promise<Response>,
): DeclaredHandler {
  const guarded = withErrorBoundary(logName(declaration.method, declaration.path), handler);
  const route = async (request: NextRequest, context: RouteContext = {}): Promise<Response> => {
    const response = await guarded(request, context);
    await checkDeclaredResponse(declaration, response);
    return response;
  };
  return Object.assign(route, { declaration });
}

/** The route as the fault log names it, in the file system's spelling: `GET /api/chirps/[chirpID]`. */
function logName(method: string, path: string): string {
  return `${method} ${path.replace(/\{(\w+)\}/g, '[$1]')}`;
}
