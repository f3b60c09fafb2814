import type { NextRequest } from 'next/server';
import {
  type AuthenticationFailure,
  type Claim,
  claimRequest,
  confirmClaim,
  INVALID_ACCESS_TOKEN,
  refusal,
} from '@/lib/auth/current-user';
import { withErrorBoundary } from '@/lib/auth/route-boundary';
import {
  type ChirpListQuery,
  chirpListQuerySchema,
  createChirp,
  createChirpInSession,
  listChirps,
  newChirpSchema,
  toPublicChirp,
} from '@/lib/chirps';
import { getSettings } from '@/lib/config';
import type { Chirp } from '@/lib/db/schema';
import { readJson, readQuery } from '@/lib/http/body';
import { badInputResponse, jsonResponse } from '@/lib/http/responses';

export const POST = withErrorBoundary('POST /api/chirps', async (request: NextRequest) => {
  const claim = await claimRequest(request);
  if (!claim.ok) return refusal(claim);
  const body = await readJson(request, newChirpSchema);
  if (!body.ok) {
    // A caller whose session is over hears 401 whatever it sent: the session is checked first.
    const auth = await confirmClaim(claim);
    return auth.ok ? badInputResponse(body) : refusal(auth);
  }
  const posted = await insertChirp(claim, body.data.body);
  return posted.ok ? jsonResponse(toPublicChirp(posted.chirp), 201) : refusal(posted);
});

/** The common case checks the session in the insert itself; a session renewed on the way was checked by its renewal. */
async function insertChirp(
  claim: Extract<Claim, { ok: true }>,
  body: string,
): Promise<{ ok: true; chirp: Chirp } | AuthenticationFailure> {
  const { userId, sessionId, client } = claim;
  if (claim.user === null) {
    const chirp = await createChirpInSession({ userId, sessionId, client }, body);
    return chirp ? { ok: true, chirp } : INVALID_ACCESS_TOKEN;
  }
  const auth = await confirmClaim(claim);
  return auth.ok ? { ok: true, chirp: await createChirp(auth.user.id, body) } : auth;
}

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
