import { z } from 'zod';
import { publicChirpSchema } from '@/lib/api-shapes';
import { declareRoute, declareSignedInRoute } from '@/lib/auth/declared-route';
import { chirpIdSchema, deleteChirp, findChirp, toPublicChirp } from '@/lib/chirps';
import { errorBodySchema } from '@/lib/http/declare-route';
import { errorResponse, jsonResponse, noContent } from '@/lib/http/responses';

const chirpParams = { schema: z.object({ chirpID: chirpIdSchema }), malformed: 'Chirp id must be a UUID' };
const malformed = { description: 'The chirp id is not a UUID', body: errorBodySchema };
const notFound = { description: 'No such chirp', body: errorBodySchema };

export const GET = declareRoute(
  {
    method: 'GET',
    path: '/api/chirps/{chirpID}',
    summary: 'One chirp',
    tags: ['Chirps'],
    auth: 'none',
    params: chirpParams,
    responses: { 200: { description: 'The chirp', body: publicChirpSchema }, 400: malformed, 404: notFound },
  },
  async ({ params }) => {
    const chirp = await findChirp(params.chirpID);
    return chirp ? jsonResponse(toPublicChirp(chirp)) : errorResponse(404, 'Chirp not found');
  },
);

export const DELETE = declareSignedInRoute(
  {
    method: 'DELETE',
    path: '/api/chirps/{chirpID}',
    summary: 'Delete one of the caller’s chirps',
    tags: ['Chirps'],
    auth: 'either',
    params: chirpParams,
    responses: {
      204: { description: 'Deleted', body: null },
      400: malformed,
      403: { description: 'Someone else’s chirp, or a cross-site cookie write', body: errorBodySchema },
      404: notFound,
    },
  },
  async ({ auth, params }) => {
    const deletion = await deleteChirp(params.chirpID, auth.user.id);
    if (deletion.ok) return noContent();
    return deletion.reason === 'forbidden'
      ? errorResponse(403, 'You can only delete your own chirps')
      : errorResponse(404, 'Chirp not found');
  },
);
