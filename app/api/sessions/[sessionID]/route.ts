import { z } from 'zod';
import { declareSignedInRoute } from '@/lib/auth/declared-route';
import { endSession, sessionIdSchema } from '@/lib/auth/sessions';
import { errorBodySchema } from '@/lib/http/declare-route';
import { requestContext } from '@/lib/http/request-context';
import { errorResponse, noContent } from '@/lib/http/responses';
import { MESSAGES } from '@/lib/messages';

/** Ends one of the caller's own sessions. Someone else's is answered exactly like an unknown one. */
export const DELETE = declareSignedInRoute(
  {
    method: 'DELETE',
    path: '/api/sessions/{sessionID}',
    summary: 'End one of the caller’s sessions',
    tags: ['Sessions'],
    auth: 'either',
    params: { schema: z.object({ sessionID: sessionIdSchema }), malformed: MESSAGES.malformed_session_id },
    responses: {
      204: { description: 'The session has ended', body: null },
      400: { description: 'The session id is not a UUID', body: errorBodySchema },
      404: { description: 'No such session of the caller', body: errorBodySchema },
    },
  },
  async ({ auth, params, request }) => {
    const ended = await endSession(auth.user.id, params.sessionID, requestContext(request.headers));
    return ended.ok ? noContent() : errorResponse(404, MESSAGES.session_not_found);
  },
);
