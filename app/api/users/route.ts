import { pendingEmailChangeSchema, publicUserSchema } from '@/lib/api-shapes';
import { claimRequest, confirmClaim, refusal } from '@/lib/auth/current-user';
import { declareRoute, SIGNED_IN_REFUSALS } from '@/lib/auth/declared-route';
import {
  type AccountChange,
  type ChangeProof,
  credentialsChangeSchema,
  credentialsSchema,
  replaceCredentials,
} from '@/lib/auth/password-account';
import { createAccount } from '@/lib/auth/sign-in';
import { readJson } from '@/lib/http/body';
import { errorBodySchema } from '@/lib/http/declare-route';
import { requestContext } from '@/lib/http/request-context';
import { badInputResponse, errorResponse, jsonResponse, refusalResponse, tooManyRequests } from '@/lib/http/responses';
import { MESSAGES } from '@/lib/messages';
import { toPublicUser } from '@/lib/users';

/** Sign-up through the JSON contract: the user back, no session (the sign-up page uses a server action). */
export const POST = declareRoute(
  {
    method: 'POST',
    path: '/api/users',
    summary: 'Sign up',
    tags: ['Account'],
    auth: 'none',
    body: credentialsSchema,
    bodyExample: { email: 'alice@example.com', password: 'correct horse battery staple' },
    responses: {
      201: { description: 'The new user (no session: sign in next)', body: publicUserSchema },
      409: { description: 'The email is taken', body: errorBodySchema },
      429: { description: 'Too many sign-ups (Retry-After)', body: errorBodySchema },
    },
  },
  async ({ body, request }) => {
    const created = await createAccount(body, requestContext(request.headers));
    if (created.ok) return jsonResponse(toPublicUser(created.user), 201);
    return refusalResponse(created, 409, MESSAGES.email_taken);
  },
);

/**
 * Changes email and password. With an access token (the API contract) the token is the proof;
 * with session cookies the body must also carry `current_password`, since cookies alone may be a
 * stolen copy. Every other session of the user ends; the caller's own stays.
 */
export const PUT = declareRoute(
  {
    method: 'PUT',
    path: '/api/users',
    summary: 'Change email and password (with session cookies, also current_password)',
    tags: ['Account'],
    auth: 'either',
    body: credentialsChangeSchema,
    // The caller is checked before the body is read: a caller whose session is over hears 401.
    bodyRead: 'handler',
    bodyExample: { email: 'alice@example.org', password: 'a new long passphrase' },
    responses: {
      ...SIGNED_IN_REFUSALS,
      200: { description: 'The changed user; every other session has ended', body: publicUserSchema },
      202: {
        description:
          'REQUIRE_EMAIL_VERIFICATION=true and a new email: the password is changed (every other session has ' +
          'ended), the email still the current one, and `pending_email` waits for the link mailed to it',
        body: pendingEmailChangeSchema,
      },
      400: { description: 'A malformed body or a broken rule', body: errorBodySchema },
      403: {
        description: 'current_password missing or wrong (cookie sessions), or a cross-site write',
        body: errorBodySchema,
      },
      409: { description: 'The email is taken', body: errorBodySchema },
    },
  },
  async ({ request }) => {
    const claim = await claimRequest(request);
    const auth = await confirmClaim(claim);
    if (!auth.ok) return refusal(auth);
    const body = await readJson(request, credentialsChangeSchema);
    if (!body.ok) return badInputResponse(body);
    const { current_password, ...credentials } = body.data;
    const browser = claim.ok && claim.client === 'browser';
    const proof: ChangeProof = browser
      ? { by: 'current_password', password: current_password }
      : { by: 'access_token' };
    const context = requestContext(request.headers);
    const updated = await replaceCredentials(auth.user.id, credentials, proof, auth.sessionId, context);
    if (!updated.ok) return changeRefusal(updated);
    // Email verification: a new address waiting for its link (REQUIRE_EMAIL_VERIFICATION=true).
    if (updated.pendingEmail !== undefined) {
      return jsonResponse({ ...toPublicUser(updated.user), pending_email: updated.pendingEmail }, 202);
    }
    return jsonResponse(toPublicUser(updated.user));
  },
);

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
