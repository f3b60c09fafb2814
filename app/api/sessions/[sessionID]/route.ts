import type { NextRequest } from 'next/server';
import { authenticateRequest, refusal } from '@/lib/auth/current-user';
import { withErrorBoundary } from '@/lib/auth/route-boundary';
import { endSession, sessionIdSchema } from '@/lib/auth/sessions';
import { requestContext } from '@/lib/http/request-context';
import { errorResponse, noContent } from '@/lib/http/responses';
import { MESSAGES } from '@/lib/messages';

type Context = { params: Promise<{ sessionID: string }> };

/** Ends one of the caller's own sessions. Someone else's is answered exactly like an unknown one. */
export const DELETE = withErrorBoundary(
  'DELETE /api/sessions/[sessionID]',
  async (request: NextRequest, context: Context) => {
    const auth = await authenticateRequest(request);
    if (!auth.ok) return refusal(auth);
    const sessionId = sessionIdSchema.safeParse((await context.params).sessionID);
    if (!sessionId.success) return errorResponse(400, MESSAGES.malformed_session_id);
    const ended = await endSession(auth.user.id, sessionId.data, requestContext(request.headers));
    return ended.ok ? noContent() : errorResponse(404, MESSAGES.session_not_found);
  },
);
