import type { NextRequest } from 'next/server';
import { authenticateRequest, refusal } from '@/lib/auth/current-user';
import { withErrorBoundary } from '@/lib/auth/route-boundary';
import { listSessions, toPublicSession } from '@/lib/auth/sessions';
import { jsonResponse } from '@/lib/http/responses';

/** The caller's live sessions, their own marked `current`. Bearer access token or session cookie. */
export const GET = withErrorBoundary('GET /api/sessions', async (request: NextRequest) => {
  const auth = await authenticateRequest(request);
  if (!auth.ok) return refusal(auth);
  const sessions = await listSessions(auth.user.id, auth.sessionId);
  return jsonResponse(sessions.map(toPublicSession));
});
