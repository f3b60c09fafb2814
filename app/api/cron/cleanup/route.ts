import { cleanupReportSchema } from '@/lib/api-shapes';
import { declareRoute } from '@/lib/auth/declared-route';
import { cleanUpExpiredData, isCronRequest } from '@/lib/housekeeping';
import { errorBodySchema } from '@/lib/http/declare-route';
import { errorResponse, jsonResponse } from '@/lib/http/responses';

export const dynamic = 'force-dynamic';
// A first run on a large backlog deletes in many batches; give it room (Vercel caps it by plan).
export const maxDuration = 300;

/** Scheduled daily by vercel.json's `crons`; returns what it deleted. */
export const GET = declareRoute(
  {
    method: 'GET',
    path: '/api/cron/cleanup',
    summary: 'Delete expired tokens, limits and old events',
    tags: ['Operations'],
    auth: 'cron',
    responses: {
      200: { description: 'What was deleted', body: cleanupReportSchema },
      401: { description: 'Wrong or missing cron secret', body: errorBodySchema },
    },
  },
  async () => jsonResponse(await cleanUpExpiredData()),
  (request) => (isCronRequest(request.headers) ? null : errorResponse(401, 'Invalid or missing cron secret')),
);
