import { pingDatabase } from '@/lib/db/client';
import { logFault } from '@/lib/db/fault-log';
import { errorResponse, jsonResponse, serviceUnavailable } from '@/lib/http/responses';

export const dynamic = 'force-dynamic';

/** Healthy means the database answers, so a load balancer stops sending traffic when it does not. */
export async function GET(): Promise<Response> {
  try {
    await pingDatabase();
    return jsonResponse({ status: 'ok' });
  } catch (error) {
    // Any failure to answer is unhealthy, but only an unreachable database is the expected kind.
    return logFault('GET /api/healthz', error) === 'unavailable'
      ? serviceUnavailable()
      : errorResponse(503, 'Service unavailable');
  }
}
