import { z } from 'zod';
import { publicSessionSchema } from '@/lib/api-shapes';
import { declareSignedInRoute } from '@/lib/auth/declared-route';
import { listSessions, toPublicSession } from '@/lib/auth/sessions';
import { jsonResponse } from '@/lib/http/responses';

/** The caller's live sessions, their own marked `current`. Bearer access token or session cookie. */
export const GET = declareSignedInRoute(
  {
    method: 'GET',
    path: '/api/sessions',
    summary: "The caller's live sessions, most recently used first",
    tags: ['Sessions'],
    auth: 'either',
    responses: {
      200: { description: 'The sessions; the caller’s own is `current`', body: z.array(publicSessionSchema) },
    },
  },
  async ({ auth }) => {
    const sessions = await listSessions(auth.user.id, auth.sessionId);
    return jsonResponse(sessions.map(toPublicSession));
  },
);
