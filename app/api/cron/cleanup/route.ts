import type { NextRequest } from 'next/server';
import { withErrorBoundary } from '@/lib/auth/route-boundary';
import { cleanUpExpiredData, isCronRequest } from '@/lib/housekeeping';
import { errorResponse, jsonResponse } from '@/lib/http/responses';

export const dynamic = 'force-dynamic';
// A first run on a large backlog deletes in many batches; give it room (Vercel caps it by plan).
export const maxDuration = 300;

/** Scheduled daily by vercel.json's `crons`; returns what it deleted. */
export const GET = withErrorBoundary('GET /api/cron/cleanup', async (request: NextRequest) => {
  if (!isCronRequest(request.headers)) return errorResponse(401, 'Invalid or missing cron secret');
  return jsonResponse(await cleanUpExpiredData());
});
