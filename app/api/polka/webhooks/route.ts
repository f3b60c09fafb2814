import type { NextRequest } from 'next/server';
import { withErrorBoundary } from '@/lib/auth/route-boundary';
import { readJson } from '@/lib/http/body';
import { badInputResponse, errorResponse, noContent } from '@/lib/http/responses';
import { upgradeToChirpyRed } from '@/lib/users';
import { isPolkaRequest, polkaEventSchema } from '@/lib/webhooks';

export const POST = withErrorBoundary('POST /api/polka/webhooks', async (request: NextRequest) => {
  if (!isPolkaRequest(request.headers)) return errorResponse(401, 'Invalid or missing API key');
  const body = await readJson(request, polkaEventSchema);
  if (!body.ok) return badInputResponse(body);
  if (body.data.kind === 'ignored') return noContent();
  const upgraded = await upgradeToChirpyRed(body.data.userId);
  return upgraded ? noContent() : errorResponse(404, 'User not found');
});
