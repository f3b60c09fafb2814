import type { NextRequest } from 'next/server';
import { authenticateRequest, refusal } from '@/lib/auth/current-user';
import { withErrorBoundary } from '@/lib/auth/route-boundary';
import { endOtherSessions } from '@/lib/auth/sessions';
import { requestContext } from '@/lib/http/request-context';
import { noContent } from '@/lib/http/responses';

/** "Sign out everywhere else": every session of the caller but the one making this request. */
export const POST = withErrorBoundary('POST /api/sessions/revoke-others', async (request: NextRequest) => {
  const auth = await authenticateRequest(request);
  if (!auth.ok) return refusal(auth);
  await endOtherSessions(auth.user.id, auth.sessionId, requestContext(request.headers));
  return noContent();
});
