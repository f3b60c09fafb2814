import type { NextRequest } from 'next/server';
import { clearSessionCookies, isSecureNextRequest, sessionCookieNames } from '@/lib/auth/cookies';
import { revokeSession, revokeSessionById } from '@/lib/auth/sessions';
import { verifyAccessToken } from '@/lib/auth/tokens';
import { readAuthorization } from '@/lib/http/authorization';
import { isFormRequest } from '@/lib/http/body';
import { requestContext } from '@/lib/http/forwarded';
import { withErrorBoundary } from '@/lib/http/handler';
import { errorResponse, noContent, seeOther } from '@/lib/http/responses';

/**
 * Ends the session a refresh token belongs to. Idempotent: an unknown or already revoked token
 * still gets 204, so a client can always call it safely on sign-out.
 */
export const POST = withErrorBoundary('POST /api/revoke', async (request: NextRequest) => {
  const authorization = readAuthorization(request.headers, 'Bearer');
  if (!authorization.present) return signOut(request);
  if (!authorization.ok) return errorResponse(401, 'Malformed Authorization header: expected "Bearer <refresh token>"');
  await revokeSession(authorization.credentials, requestContext(request.headers));
  return noContent();
});

/**
 * The browser's sign-out: the whole session ends and both cookies go, whatever their state. The
 * refresh cookie names the session; failing that, the access cookie's `sid` does.
 */
async function signOut(request: NextRequest): Promise<Response> {
  const secure = isSecureNextRequest(request);
  const names = sessionCookieNames(secure);
  const refreshToken = request.cookies.get(names.refresh)?.value;
  const accessToken = request.cookies.get(names.access)?.value;
  const fromForm = isFormRequest(request);
  if (!refreshToken && !accessToken && !fromForm) {
    return errorResponse(401, 'Missing refresh token: send "Authorization: Bearer <refresh token>"');
  }
  const context = requestContext(request.headers);
  if (refreshToken) {
    await revokeSession(refreshToken, context);
  } else if (accessToken) {
    const access = await verifyAccessToken(accessToken);
    if (access.ok && access.sessionId !== null) await revokeSessionById(access.sessionId, context);
  }
  const response = fromForm ? seeOther('/login') : noContent();
  clearSessionCookies(response, secure);
  return response;
}
