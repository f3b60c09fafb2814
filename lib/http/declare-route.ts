import type { NextRequest } from 'next/server';
import { z } from 'zod';
import { type Parsed, readJson, readQuery } from './body';

/**
 * What a route says about itself: the one source for its parsing, its authentication, the checks
 * on its answers under test, and the OpenAPI document (lib/http/openapi.ts). This part knows no
 * sign-in; lib/auth/declared-route.ts puts authentication and the error boundary around it.
 */

export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * Who may call: `bearer` an access token, `session` the browser's cookies, `either` one or the
 * other, `refresh` a refresh token (Bearer, or the refresh cookie), `apiKey` Polka's key,
 * `cron` the scheduler's secret.
 */
export type RouteAuth = 'none' | 'bearer' | 'session' | 'either' | 'refresh' | 'apiKey' | 'cron';

/** Every error answer: the contract's text, and beside it the catalogue code when the text has one. */
export const errorBodySchema = z.object({ error: z.string(), code: z.string().optional() });

/** One answer a route gives: a JSON body of this schema, or no body (`null`). */
export type DeclaredResponse = { description: string; body: z.ZodType | null; example?: unknown };

/** Path parameters, and the one 400 message a malformed one gets. */
export type DeclaredParams<P extends z.ZodType> = { schema: P; malformed: string };

export type RouteDeclaration<
  B extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  P extends z.ZodType | undefined = z.ZodType | undefined,
> = {
  method: RouteMethod;
  /** As the document names it: `/api/chirps/{chirpID}`. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  auth: RouteAuth;
  body?: B;
  /**
   * `handler` when the route must check its caller before it reads the body (a caller whose
   * session is over hears 401 whatever it sent): the schema is still the declared one, read by
   * the handler with readJson.
   */
  bodyRead?: 'declaration' | 'handler';
  /** An example body for the document, in the shape the tests send. */
  bodyExample?: unknown;
  query?: Q;
  params?: P extends z.ZodType ? DeclaredParams<P> : undefined;
  responses: Record<number, DeclaredResponse>;
};

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;

export type DeclaredInput<B, Q, P> = { body: Output<B>; query: Output<Q>; params: Output<P> };

export type AnyRouteDeclaration = RouteDeclaration<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>;

/** A route handler with its declaration attached, which the document and the tests read. */
export type DeclaredHandler = ((request: NextRequest, context?: RouteContext) => Promise<Response>) & {
  declaration: AnyRouteDeclaration;
};

/** What Next hands a route handler beside the request; params are absent on a static path. */
export type RouteContext = { params?: Promise<Record<string, string | string[]>> };

const error = (description: string): DeclaredResponse => ({ description, body: errorBodySchema });

/**
 * The answers every route can give whatever it declares: a fault (500) and the database away (503)
 * come from the boundary, and a body-reading route can meet an oversized or unlabelled body.
 */
export function implicitResponses(declaration: AnyRouteDeclaration): Record<number, DeclaredResponse> {
  const always = {
    400: error('The client closed the request before the answer'),
    500: error('A fault on our side'),
    503: error('The database is not answering, or the server is busy (Retry-After)'),
  };
  if (declaration.body === undefined) return always;
  return {
    ...always,
    400: error('The body is malformed or breaks a rule'),
    413: error('The body is too large'),
    415: error('The body is not labelled application/json'),
  };
}

export function declaredResponses(declaration: AnyRouteDeclaration): Record<number, DeclaredResponse> {
  return { ...implicitResponses(declaration), ...declaration.responses };
}

/**
 * Params, query and body, in that order, each refused as the routes always refused it: a
 * malformed path parameter by its own message, the rest as lib/http/body.ts words it.
 */
export async function readDeclaredInput<
  B extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  P extends z.ZodType | undefined,
>(
  declaration: RouteDeclaration<B, Q, P>,
  request: NextRequest,
  context: RouteContext = {},
): Promise<Parsed<DeclaredInput<B, Q, P>>> {
  let params: unknown;
  if (declaration.params !== undefined) {
    const parsed = declaration.params.schema.safeParse((await context.params) ?? {});
    if (!parsed.success) return { ok: false, status: 400, error: declaration.params.malformed };
    params = parsed.data;
  }
  let query: unknown;
  if (declaration.query !== undefined) {
    const parsed = readQuery(request.nextUrl, declaration.query);
    if (!parsed.ok) return parsed;
    query = parsed.data;
  }
  let body: unknown;
  if (declaration.body !== undefined && declaration.bodyRead !== 'handler') {
    const parsed = await readJson(request, declaration.body);
    if (!parsed.ok) return parsed;
    body = parsed.data;
  }
  // Each value was produced by the schema of the same field, which is what DeclaredInput says.
  return { ok: true, data: { body, query, params } as DeclaredInput<B, Q, P> };
}

type ResponseCheck = (declaration: AnyRouteDeclaration, response: Response) => Promise<void>;

// The test suites install holdToDeclaration here (test/setup.ts); a server installs nothing, so
// answers go out unchecked and unbuffered.
let responseCheck: ResponseCheck | null = null;

export function checkEveryAnswerWith(check: ResponseCheck | null): void {
  responseCheck = check;
}

export async function checkDeclaredResponse(declaration: AnyRouteDeclaration, response: Response): Promise<void> {
  if (responseCheck !== null) await responseCheck(declaration, response);
}

/**
 * Holds an answer to its route's declaration, so the document cannot drift from the behaviour: an
 * undeclared status or a body off its schema throws.
 */
export async function holdToDeclaration(declaration: AnyRouteDeclaration, response: Response): Promise<void> {
  const name = `${declaration.method} ${declaration.path}`;
  const declared = declaredResponses(declaration)[response.status];
  if (declared === undefined) throw new Error(`${name} answered ${response.status}, which it does not declare`);
  const text = await response.clone().text();
  if (declared.body === null) {
    if (text !== '') throw new Error(`${name} answered ${response.status} with a body it declares empty`);
    return;
  }
  const checked = declared.body.safeParse(JSON.parse(text));
  if (!checked.success) {
    throw new Error(`${name} answered ${response.status} off its schema: ${z.prettifyError(checked.error)}`);
  }
}
