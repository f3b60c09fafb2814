import type { NextRequest } from 'next/server';
import { authenticateRequest } from '@/lib/auth/current-user';
import { revokeUserSessions } from '@/lib/auth/sessions';
import { readJson } from '@/lib/http/body';
import { withErrorBoundary } from '@/lib/http/handler';
import { badInputResponse, errorResponse, jsonResponse } from '@/lib/http/responses';
import { createUser, credentialsSchema, EMAIL_TAKEN, toPublicUser, updateUserCredentials } from '@/lib/users';

/** Sign-up through the JSON contract: the user back, no session (the sign-up page uses a server action). */
export const POST = withErrorBoundary('POST /api/users', async (request: NextRequest) => {
  const body = await readJson(request, credentialsSchema);
  if (!body.ok) return badInputResponse(body);
  const created = await createUser(body.data);
  if (!created.ok) return errorResponse(409, EMAIL_TAKEN);
  return jsonResponse(toPublicUser(created.user), 201);
});

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
