import type { NextRequest } from 'next/server';
import { claimRequest, confirmClaim, refusal } from '@/lib/auth/current-user';
import {
  type AccountChange,
  type ChangeProof,
  credentialsChangeSchema,
  credentialsSchema,
  registerUser,
  replaceCredentials,
} from '@/lib/auth/password-account';
import { withErrorBoundary } from '@/lib/auth/route-boundary';
import { readJson } from '@/lib/http/body';
import { requestContext } from '@/lib/http/request-context';
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
 * Changes email and password. With an access token (the API contract) the token is the proof;
 * with session cookies the body must also carry `current_password`, since cookies alone may be a
 * stolen copy. Every other session of the user ends; the caller's own stays.
 */
export const PUT = withErrorBoundary('PUT /api/users', async (request: NextRequest) => {
  const claim = await claimRequest(request);
  const auth = await confirmClaim(claim);
  if (!auth.ok) return refusal(auth);
  const body = await readJson(request, credentialsChangeSchema);
  if (!body.ok) return badInputResponse(body);
  const { current_password, ...credentials } = body.data;
  const browser = claim.ok && claim.client === 'browser';
  const proof: ChangeProof = browser ? { by: 'current_password', password: current_password } : { by: 'access_token' };
  const context = requestContext(request.headers);
  const updated = await replaceCredentials(auth.user.id, credentials, proof, auth.sessionId, context);
  return updated.ok ? jsonResponse(toPublicUser(updated.user)) : changeRefusal(updated);
});

function changeRefusal(refused: Exclude<AccountChange, { ok: true }>): Response {
  switch (refused.reason) {
    case 'rate_limited':
      return tooManyRequests(refused.retryAfterSeconds);
    case 'email_taken':
      return errorResponse(409, MESSAGES.email_taken);
    case 'current_password_required':
      return errorResponse(403, MESSAGES.current_password_required);
    case 'wrong_password':
      return errorResponse(403, MESSAGES.wrong_current_password);
    case 'not_found':
      return errorResponse(401, 'Invalid access token');
  }
}
