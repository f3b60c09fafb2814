import type { NextRequest } from 'next/server';
import { credentialsSchema, registerUser, replaceCredentials } from '@/lib/auth/credentials';
import { authenticateRequest, refusal } from '@/lib/auth/current-user';
import { readJson } from '@/lib/http/body';
import { requestContext } from '@/lib/http/forwarded';
import { withErrorBoundary } from '@/lib/http/handler';
import { badInputResponse, errorResponse, jsonResponse, tooManyRequests } from '@/lib/http/responses';
import { MESSAGES } from '@/lib/messages';
import { toPublicUser } from '@/lib/users';

/** Sign-up through the JSON contract: the user back, no session (the sign-up page uses a server action). */
export const POST = withErrorBoundary('POST /api/users', async (request: NextRequest) => {
  const body = await readJson(request, credentialsSchema);
  if (!body.ok) return badInputResponse(body);
  const created = await registerUser(body.data, requestContext(request.headers));
  if (created.ok) return jsonResponse(toPublicUser(created.user), 201);
  return created.reason === 'rate_limited'
    ? tooManyRequests(created.retryAfterSeconds)
    : errorResponse(409, MESSAGES.email_taken);
});

/**
 * Changes email and password on the strength of the access token (the API contract). Every
 * other session of the user ends; the caller's own stays.
 */
export const PUT = withErrorBoundary('PUT /api/users', async (request: NextRequest) => {
  const auth = await authenticateRequest(request);
  if (!auth.ok) return refusal(auth);
  const body = await readJson(request, credentialsSchema);
  if (!body.ok) return badInputResponse(body);
  const updated = await replaceCredentials(auth.user.id, body.data, auth.sessionId, requestContext(request.headers));
  if (updated.ok) return jsonResponse(toPublicUser(updated.user));
  return updated.reason === 'email_taken'
    ? errorResponse(409, MESSAGES.email_taken)
    : errorResponse(401, 'Invalid access token');
});
