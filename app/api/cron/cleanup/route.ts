import { cleanupReportSchema } from '@/lib/api-shapes';
import { declareRoute, refuseUnless } from '@/lib/auth/declared-route';
import { cleanUpExpiredData, isCronRequest } from '@/lib/housekeeping';
import { jsonResponse } from '@/lib/http/responses';

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
    },
  },
  async () => jsonResponse(await cleanUpExpiredData()),
  refuseUnless(isCronRequest, 401, 'Invalid or missing cron secret', 'Wrong or missing cron secret'),
);
