import { publicAccountSchema } from '@/lib/api-shapes';
import { declareSignedInRoute } from '@/lib/auth/declared-route';
import { jsonResponse } from '@/lib/http/responses';
import { toPublicAccount } from '@/lib/users';

/**
 * Who am I: the user behind a Bearer access token or the browser's session cookie, with whether
 * the address is confirmed and any new address waiting for its confirmation link.
 */
export const GET = declareSignedInRoute(
  {
    method: 'GET',
    path: '/api/me',
    summary: 'The signed-in user, with the state of its email address',
    tags: ['Account'],
    auth: 'either',
    responses: { 200: { description: 'The caller', body: publicAccountSchema } },
  },
  async ({ auth }) => jsonResponse(toPublicAccount(auth.user)),
);
