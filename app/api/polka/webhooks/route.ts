import { declareRoute, refuseUnless } from '@/lib/auth/declared-route';
import { errorBodySchema } from '@/lib/http/declare-route';
import { errorResponse, noContent } from '@/lib/http/responses';
import { upgradeToChirpyRed } from '@/lib/users';
import { isPolkaRequest, polkaEventSchema } from '@/lib/webhooks';

export const POST = declareRoute(
  {
    method: 'POST',
    path: '/api/polka/webhooks',
    summary: 'Polka’s payment events: `user.upgraded` makes the user Chirpy Red',
    tags: ['Webhooks'],
    auth: 'apiKey',
    body: polkaEventSchema,
    bodyExample: { event: 'user.upgraded', data: { user_id: '3f1c0f2e-8f5b-4c56-9d0a-2a1f0b6c7d8e' } },
    responses: {
      204: { description: 'Handled, or an event Chirpy ignores', body: null },
      404: { description: 'No such user', body: errorBodySchema },
    },
  },
  async ({ body }) => {
    if (body.kind === 'ignored') return noContent();
    return (await upgradeToChirpyRed(body.userId)) ? noContent() : errorResponse(404, 'User not found');
  },
  refuseUnless(isPolkaRequest, 401, 'Invalid or missing API key', 'Wrong or missing API key'),
);
