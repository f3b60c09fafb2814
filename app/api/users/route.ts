import type { NextRequest } from 'next/server';
import { isSecureNextRequest, setSessionCookies } from '@/lib/auth/cookies';
import { credentialsSchema, registerUser, replaceCredentials } from '@/lib/auth/credentials';
import { authenticateRequest } from '@/lib/auth/current-user';
import { formErrorPath } from '@/lib/auth/form-errors';
import { startSession } from '@/lib/auth/session-flow';
import { isFormRequest, readForm, readJson } from '@/lib/http/body';
import { requestContext } from '@/lib/http/forwarded';
import { withErrorBoundary } from '@/lib/http/handler';
import { badInputResponse, errorResponse, jsonResponse, seeOther, tooManyRequests } from '@/lib/http/responses';
import { MESSAGES } from '@/lib/messages';
import { toPublicUser } from '@/lib/users';

/** Sign-up. A JSON body gets the user back; the sign-up form is signed in and sent home. */
export const POST = withErrorBoundary('POST /api/users', async (request: NextRequest) => {
  if (isFormRequest(request)) return signUpWithForm(request);
  const body = await readJson(request, credentialsSchema);
  if (!body.ok) return badInputResponse(body);
  const created = await registerUser(body.data, requestContext(request.headers));
  if (created.ok) return jsonResponse(toPublicUser(created.user), 201);
  return created.reason === 'rate_limited'
    ? tooManyRequests(created.retryAfterSeconds)
    : errorResponse(409, MESSAGES.email_taken);
});

async function signUpWithForm(request: NextRequest): Promise<Response> {
  const form = await readForm(request, credentialsSchema);
  if (!form.ok) return seeOther(formErrorPath('/signup', form.error));
  const context = requestContext(request.headers);
  const created = await registerUser(form.data, context);
  if (!created.ok) {
    const message = created.reason === 'rate_limited' ? MESSAGES.rate_limited : MESSAGES.email_taken;
    return seeOther(formErrorPath('/signup', message));
  }
  const session = await startSession(created.user, 'browser', context);
  const response = seeOther('/');
  setSessionCookies(response, isSecureNextRequest(request), session.tokens);
  return response;
}

/**
 * Changes email and password on the strength of the access token (the API contract). Every
 * other session of the user ends; the caller's own stays.
 */
export const PUT = withErrorBoundary('PUT /api/users', async (request: NextRequest) => {
  const auth = await authenticateRequest(request);
  if (!auth.ok) return errorResponse(401, auth.error);
  const body = await readJson(request, credentialsSchema);
  if (!body.ok) return badInputResponse(body);
  const updated = await replaceCredentials(auth.user.id, body.data, auth.sessionId, requestContext(request.headers));
  if (updated.ok) return jsonResponse(toPublicUser(updated.user));
  return updated.reason === 'email_taken'
    ? errorResponse(409, MESSAGES.email_taken)
    : errorResponse(401, 'Invalid access token');
});
