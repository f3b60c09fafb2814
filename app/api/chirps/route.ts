import type { NextRequest } from 'next/server';
import { authenticateRequest, refusal } from '@/lib/auth/current-user';
import {
  type ChirpListQuery,
  chirpListQuerySchema,
  createChirp,
  listChirps,
  newChirpSchema,
  toPublicChirp,
} from '@/lib/chirps';
import { getSettings } from '@/lib/config';
import { readJson, readQuery } from '@/lib/http/body';
import { withErrorBoundary } from '@/lib/http/handler';
import { badInputResponse, jsonResponse } from '@/lib/http/responses';

export const POST = withErrorBoundary('POST /api/chirps', async (request: NextRequest) => {
  const auth = await authenticateRequest(request);
  if (!auth.ok) return refusal(auth);
  const body = await readJson(request, newChirpSchema);
  if (!body.ok) return badInputResponse(body);
  const chirp = await createChirp(auth.user.id, body.data.body);
  return jsonResponse(toPublicChirp(chirp), 201);
});

/**
 * Public: every chirp, or one author's, oldest first unless `sort=desc`. With `limit` or
 * `cursor`, one page; the next page's address is in the `Link` header (rel="next").
 */
export const GET = withErrorBoundary('GET /api/chirps', async (request: NextRequest) => {
  const query = readQuery(request.nextUrl, chirpListQuerySchema);
  if (!query.ok) return badInputResponse(query);
  const page = await listChirps(query.data);
  const response = jsonResponse(page.chirps.map(toPublicChirp));
  if (page.next !== null) response.headers.set('Link', `<${nextPagePath(query.data, page.next)}>; rel="next"`);
  return response;
});

/** Relative, like our redirects: the client resolves it against the address it used. */
function nextPagePath(query: ChirpListQuery, cursor: string): string {
  const params = new URLSearchParams();
  if (query.author_id !== undefined) params.set('author_id', query.author_id);
  params.set('sort', query.sort);
  params.set('limit', String(query.limit ?? getSettings().CHIRPS_PAGE_SIZE));
  params.set('cursor', cursor);
  return `/api/chirps?${params.toString()}`;
}
