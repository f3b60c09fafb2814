import { publicUserSchema } from '@/lib/api-shapes';
import { declareSignedInRoute } from '@/lib/auth/declared-route';
import { jsonResponse } from '@/lib/http/responses';
import { toPublicUser } from '@/lib/users';

/** Who am I: the user behind a Bearer access token or the browser's session cookie. */
export const GET = declareSignedInRoute(
  {
    method: 'GET',
    path: '/api/me',
    summary: 'The signed-in user',
    tags: ['Account'],
    auth: 'either',
    responses: { 200: { description: 'The caller', body: publicUserSchema } },
  },
  async ({ auth }) => jsonResponse(toPublicUser(auth.user)),
);
