import { declareSignedInRoute } from '@/lib/auth/declared-route';
import { endOtherSessions } from '@/lib/auth/sessions';
import { requestContext } from '@/lib/http/request-context';
import { noContent } from '@/lib/http/responses';

/** "Sign out everywhere else": every session of the caller but the one making this request. */
export const POST = declareSignedInRoute(
  {
    method: 'POST',
    path: '/api/sessions/revoke-others',
    summary: 'End every session of the caller but this one',
    tags: ['Sessions'],
    auth: 'either',
    responses: { 204: { description: 'The other sessions have ended', body: null } },
  },
  async ({ auth, request }) => {
    await endOtherSessions(auth.user.id, auth.sessionId, requestContext(request.headers));
    return noContent();
  },
);
