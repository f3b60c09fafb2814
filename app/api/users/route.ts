import type { NextRequest } from 'next/server';
import { isSecureNextRequest, setSessionCookies } from '@/lib/auth/cookies';
import { authenticateRequest } from '@/lib/auth/current-user';
import { formErrorPath } from '@/lib/auth/form-errors';
import { startSession } from '@/lib/auth/session-flow';
import { revokeUserSessions } from '@/lib/auth/sessions';
import { isFormRequest, readForm, readJson } from '@/lib/http/body';
import { requestContext } from '@/lib/http/forwarded';
import { withErrorBoundary } from '@/lib/http/handler';
import { badInputResponse, errorResponse, jsonResponse, seeOther } from '@/lib/http/responses';
import { createUser, credentialsSchema, EMAIL_TAKEN, toPublicUser, updateUserCredentials } from '@/lib/users';

/** Sign-up. A JSON body gets the user back; the sign-up form is signed in and sent home. */
export const POST = withErrorBoundary('POST /api/users', async (request: NextRequest) => {
  if (isFormRequest(request)) return signUpWithForm(request);
  const body = await readJson(request, credentialsSchema);
  if (!body.ok) return badInputResponse(body);
  const created = await createUser(body.data);
  if (!created.ok) return errorResponse(409, EMAIL_TAKEN);
  return jsonResponse(toPublicUser(created.user), 201);
});

async function signUpWithForm(request: NextRequest): Promise<Response> {
  const form = await readForm(request, credentialsSchema);
  if (!form.ok) return seeOther(formErrorPath('/signup', form.error));
  const created = await createUser(form.data);
  if (!created.ok) return seeOther(formErrorPath('/signup', EMAIL_TAKEN));
  const session = await startSession(created.user, 'browser', requestContext(request.headers));
  const response = seeOther('/');
  setSessionCookies(response, isSecureNextRequest(request), session.tokens);
  return response;
}

/**
 * Changes email and password. Every other session of the user ends: a password change is what
 * someone does when they fear their account is in other hands.
 */
export const PUT = withErrorBoundary('PUT /api/users', async (request: NextRequest) => {
  const auth = await authenticateRequest(request);
  if (!auth.ok) return errorResponse(401, auth.error);
  const body = await readJson(request, credentialsSchema);
  if (!body.ok) return badInputResponse(body);
  const updated = await updateUserCredentials(auth.user.id, body.data);
  if (!updated.ok)
    return updated.reason === 'email_taken'
      ? errorResponse(409, EMAIL_TAKEN)
      : errorResponse(401, 'Invalid access token');
  await revokeUserSessions(auth.user.id, auth.sessionId);
  return jsonResponse(toPublicUser(updated.user));
});
