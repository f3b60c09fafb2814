import type { NextRequest } from 'next/server';
import { authenticateRequest, refusal } from '@/lib/auth/current-user';
import { withErrorBoundary } from '@/lib/auth/route-boundary';
import { jsonResponse } from '@/lib/http/responses';
import { toPublicUser } from '@/lib/users';

/** Who am I: the user behind a Bearer access token or the browser's session cookie. */
export const GET = withErrorBoundary('GET /api/me', async (request: NextRequest) => {
  const auth = await authenticateRequest(request);
  return auth.ok ? jsonResponse(toPublicUser(auth.user)) : refusal(auth);
});
