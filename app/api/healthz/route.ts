import { pingDatabase } from '@/lib/db/client';
import { describeError } from '@/lib/db/errors';
import { errorResponse, jsonResponse } from '@/lib/http/responses';

export const dynamic = 'force-dynamic';

/** Healthy means the database answers, so a load balancer stops sending traffic when it does not. */
export async function GET(): Promise<Response> {
  try {
    await pingDatabase();
    return jsonResponse({ status: 'ok' });
  } catch (error) {
    console.error('healthz: database check failed:', describeError(error));
    return errorResponse(503, 'Service unavailable: the database is not answering');
  }
}
