import 'server-only';
import type { NextRequest } from 'next/server';
import type { z } from 'zod';
import {
  checkDeclaredResponse,
  type DeclaredHandler,
  type DeclaredInput,
  type RouteContext,
  type RouteDeclaration,
  readDeclaredInput,
} from '../http/declare-route';
import { badInputResponse, errorResponse } from '../http/responses';
import { type Authentication, authenticateRequest, refusal } from './current-user';
import { withErrorBoundary } from './route-boundary';

type Signed = Extract<Authentication, { ok: true }>;

/**
 * A caller checked by a shared secret rather than a session (Polka's API key, the scheduler's
 * secret): the check, and the one 401 message a wrong or missing secret gets.
 */
export type SecretCheck = { verify: (headers: Headers) => boolean; refusal: string };

type Handler<B, Q, P, Extra> = (
  input: DeclaredInput<B, Q, P> & Extra & { request: NextRequest; context: RouteContext },
) => Promise<Response>;

/**
 * A route that authenticates in its own way or not at all: parsed input in, answer out. Routes
 * whose `auth` is `refresh` (a Bearer refresh token or the refresh cookie, each with its own
 * rules) or whose session check is part of the write itself read the request here.
 */
export function declareRoute<
  B extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  P extends z.ZodType | undefined,
>(declaration: RouteDeclaration<B, Q, P>, handler: Handler<B, Q, P, object>, secret?: SecretCheck): DeclaredHandler {
  return declared(declaration, async (request, context) => {
    if (secret !== undefined && !secret.verify(request.headers)) return errorResponse(401, secret.refusal);
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
  return declared(declaration, async (request, context) => {
    const auth = await authenticateRequest(request);
    if (!auth.ok) return refusal(auth);
    const input = await readDeclaredInput(declaration, request, context);
    if (!input.ok) return badInputResponse(input);
    return handler({ ...input.data, auth, request, context });
  });
}

function declared(
  declaration: RouteDeclaration<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>,
  handler: (request: NextRequest, context: RouteContext) => Promise<Response>,
): DeclaredHandler {
  const guarded = withErrorBoundary(logName(declaration.method, declaration.path), handler);
  const route = async (request: NextRequest, context: RouteContext): Promise<Response> => {
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
