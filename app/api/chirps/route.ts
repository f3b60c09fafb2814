import { z } from 'zod';
import { publicChirpSchema } from '@/lib/api-shapes';
import {
  type AuthenticationFailure,
  type Claim,
  claimRequest,
  confirmClaim,
  INVALID_ACCESS_TOKEN,
  refusal,
} from '@/lib/auth/current-user';
import { declareRoute, SIGNED_IN_REFUSALS } from '@/lib/auth/declared-route';
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
import { readJson } from '@/lib/http/body';
import { errorBodySchema } from '@/lib/http/declare-route';
import { badInputResponse, jsonResponse } from '@/lib/http/responses';

export const POST = declareRoute(
  {
    method: 'POST',
    path: '/api/chirps',
    summary: 'Post a chirp',
    tags: ['Chirps'],
    auth: 'either',
    body: newChirpSchema,
    bodyRead: 'handler',
    bodyExample: { body: 'Hello, world!' },
    responses: {
      ...SIGNED_IN_REFUSALS,
      201: { description: 'The chirp, censored', body: publicChirpSchema },
      400: { description: 'Empty, too long, or a NUL character', body: errorBodySchema },
    },
  },
  async ({ request }) => {
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
  },
);

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
export const GET = declareRoute(
  {
    method: 'GET',
    path: '/api/chirps',
    summary: 'List chirps, oldest first unless sort=desc; paged with limit and cursor',
    tags: ['Chirps'],
    auth: 'none',
    query: chirpListQuerySchema,
    responses: {
      200: {
        description: 'The chirps; a `Link: <…>; rel="next"` header when there is a next page',
        body: z.array(publicChirpSchema),
      },
      400: { description: 'A malformed query parameter', body: errorBodySchema },
    },
  },
  async ({ query }) => {
    const page = await listChirps(query);
    const response = jsonResponse(page.chirps.map(toPublicChirp));
    if (page.next !== null) response.headers.set('Link', `<${nextPagePath(query, page.next)}>; rel="next"`);
    return response;
  },
);

/** Relative, like our redirects: the client resolves it against the address it used. */
function nextPagePath(query: ChirpListQuery, cursor: string): string {
  const params = new URLSearchParams();
  if (query.author_id !== undefined) params.set('author_id', query.author_id);
  params.set('sort', query.sort);
  params.set('limit', String(query.limit ?? getSettings().CHIRPS_PAGE_SIZE));
  params.set('cursor', cursor);
  return `/api/chirps?${params.toString()}`;
}
