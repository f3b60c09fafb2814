import 'server-only';
import { and, asc, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { getDb } from './db/client';
import { type Chirp, chirps } from './db/schema';

export const MAX_CHIRP_LENGTH = 140;
const PROFANE_WORDS = new Set(['kerfuffle', 'sharbert', 'fornax']);

export const newChirpSchema = z.object({
  body: z
    .string({ error: 'body must be a string' })
    .refine((body) => body.trim().length > 0, 'Chirp is empty')
    // Postgres text cannot hold NUL; refuse it here rather than fail the INSERT with a 500.
    .refine((body) => !body.includes('\u0000'), 'Chirp must not contain NUL characters')
    // Counted in characters as a person sees them, not UTF-16 code units.
    .refine((body) => [...body].length <= MAX_CHIRP_LENGTH, `Chirp is too long (max ${MAX_CHIRP_LENGTH} characters)`),
});

export const chirpIdSchema = z.guid('Chirp id must be a UUID');

export const chirpListQuerySchema = z.object({
  author_id: z.guid('author_id must be a UUID').optional(),
  sort: z.enum(['asc', 'desc'], { error: 'sort must be asc or desc' }).default('asc'),
});

/** Words are split on single spaces, so a word with punctuation attached ("fornax!") stays. */
export function censorChirp(body: string): string {
  return body
    .split(' ')
    .map((word) => (PROFANE_WORDS.has(word.toLowerCase()) ? '****' : word))
    .join(' ');
}

export type PublicChirp = { id: string; created_at: string; updated_at: string; body: string; user_id: string };

export function toPublicChirp(chirp: Chirp): PublicChirp {
  return {
    id: chirp.id,
    created_at: chirp.createdAt.toISOString(),
    updated_at: chirp.updatedAt.toISOString(),
    body: chirp.body,
    user_id: chirp.userId,
  };
}

export async function createChirp(userId: string, body: string): Promise<Chirp> {
  const db = await getDb();
  const [chirp] = await db
    .insert(chirps)
    .values({ userId, body: censorChirp(body) })
    .returning();
  if (!chirp) throw new Error('insert returned no row');
  return chirp;
}

export async function listChirps(query: z.infer<typeof chirpListQuerySchema>): Promise<Chirp[]> {
  const db = await getDb();
  const order =
    query.sort === 'desc' ? [desc(chirps.createdAt), desc(chirps.id)] : [asc(chirps.createdAt), asc(chirps.id)];
  const where = query.author_id === undefined ? undefined : eq(chirps.userId, query.author_id);
  return db
    .select()
    .from(chirps)
    .where(where)
    .orderBy(...order);
}

export async function findChirp(chirpId: string): Promise<Chirp | null> {
  const db = await getDb();
  const [chirp] = await db.select().from(chirps).where(eq(chirps.id, chirpId));
  return chirp ?? null;
}

export type ChirpDeletion = { ok: true } | { ok: false; reason: 'not_found' | 'forbidden' };

export async function deleteChirp(chirpId: string, userId: string): Promise<ChirpDeletion> {
  const db = await getDb();
  const deleted = await db
    .delete(chirps)
    .where(and(eq(chirps.id, chirpId), eq(chirps.userId, userId)))
    .returning({ id: chirps.id });
  if (deleted.length > 0) return { ok: true };
  return (await findChirp(chirpId)) ? { ok: false, reason: 'forbidden' } : { ok: false, reason: 'not_found' };
}
