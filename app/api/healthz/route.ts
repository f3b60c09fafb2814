import { healthSchema } from '@/lib/api-shapes';
import { declareRoute } from '@/lib/auth/declared-route';
import { pingDatabase } from '@/lib/db/client';
import { logFault } from '@/lib/db/fault-log';
import { errorResponse, jsonResponse, serviceUnavailable } from '@/lib/http/responses';

export const dynamic = 'force-dynamic';

/** Healthy means the database answers, so a load balancer stops sending traffic when it does not. */
export const GET = declareRoute(
  {
    method: 'GET',
    path: '/api/healthz',
    summary: 'Whether the database answers',
    tags: ['Operations'],
    auth: 'none',
    responses: { 200: { description: 'Healthy', body: healthSchema } },
  },
  async () => {
    try {
      await pingDatabase();
      return jsonResponse({ status: 'ok' });
    } catch (error) {
      // Any failure to answer is unhealthy, but only an unreachable database is the expected kind.
      return logFault('GET /api/healthz', error) === 'unavailable'
        ? serviceUnavailable()
        : errorResponse(503, 'Service unavailable');
    }
  },
);
