import type { NextRequest } from 'next/server';
import { authenticateRequest, refusal } from '@/lib/auth/current-user';
import { withErrorBoundary } from '@/lib/auth/route-boundary';
import { chirpIdSchema, deleteChirp, findChirp, toPublicChirp } from '@/lib/chirps';
import { errorResponse, jsonResponse, noContent } from '@/lib/http/responses';

type Context = { params: Promise<{ chirpID: string }> };

async function chirpIdFrom(context: Context): Promise<string | null> {
  const parsed = chirpIdSchema.safeParse((await context.params).chirpID);
  return parsed.success ? parsed.data : null;
}

const MALFORMED_ID = 'Chirp id must be a UUID';

export const GET = withErrorBoundary('GET /api/chirps/[chirpID]', async (_request: NextRequest, context: Context) => {
  const chirpId = await chirpIdFrom(context);
  if (chirpId === null) return errorResponse(400, MALFORMED_ID);
  const chirp = await findChirp(chirpId);
  return chirp ? jsonResponse(toPublicChirp(chirp)) : errorResponse(404, 'Chirp not found');
});

export const DELETE = withErrorBoundary(
  'DELETE /api/chirps/[chirpID]',
  async (request: NextRequest, context: Context) => {
    const auth = await authenticateRequest(request);
    if (!auth.ok) return refusal(auth);
    const chirpId = await chirpIdFrom(context);
    if (chirpId === null) return errorResponse(400, MALFORMED_ID);
    const deletion = await deleteChirp(chirpId, auth.user.id);
    if (deletion.ok) return noContent();
    return deletion.reason === 'forbidden'
      ? errorResponse(403, 'You can only delete your own chirps')
      : errorResponse(404, 'Chirp not found');
  },
);
