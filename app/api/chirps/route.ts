import type { NextRequest } from 'next/server';
import { authenticateRequest } from '@/lib/auth/current-user';
import { chirpListQuerySchema, createChirp, listChirps, newChirpSchema, toPublicChirp } from '@/lib/chirps';
import { readJson, readQuery } from '@/lib/http/body';
import { withErrorBoundary } from '@/lib/http/handler';
import { badInputResponse, errorResponse, jsonResponse } from '@/lib/http/responses';

export const POST = withErrorBoundary('POST /api/chirps', async (request: NextRequest) => {
  const auth = await authenticateRequest(request);
  if (!auth.ok) return errorResponse(401, auth.error);
  const body = await readJson(request, newChirpSchema);
  if (!body.ok) return badInputResponse(body);
  const chirp = await createChirp(auth.user.id, body.data.body);
  return jsonResponse(toPublicChirp(chirp), 201);
});

/** Public: every chirp, or one author's, oldest first unless `sort=desc`. */
export const GET = withErrorBoundary('GET /api/chirps', async (request: NextRequest) => {
  const query = readQuery(request.nextUrl, chirpListQuerySchema);
  if (!query.ok) return badInputResponse(query);
  const chirps = await listChirps(query.data);
  return jsonResponse(chirps.map(toPublicChirp));
});
