import 'server-only';
import { and, asc, desc, eq, gte, lte, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { z } from 'zod';
import { liveSessionCondition, type SessionClient, sessionCheckValues } from './auth/session-check';
import { chirpLength, MAX_CHIRP_LENGTH } from './chirp-rules';
import { getSettings, MAX_CHIRPS_PAGE_LIMIT } from './config';
import { getDb } from './db/client';
import { type Chirp, chirps, users } from './db/schema';
import { prepareStatement } from './db/statement';
import { coded } from './rule-codes';

const PROFANE_WORDS = new Set(['kerfuffle', 'sharbert', 'fornax']);

/** The rules of a chirp's text, each failure named by a catalogue code (the composer shows it). */
export const chirpBodySchema = z
  .string({ error: 'body must be a string' })
  .refine((body) => body.trim().length > 0, coded('chirp_empty'))
  // Postgres text cannot hold NUL; refuse it here rather than fail the INSERT with a 500.
  .refine((body) => !body.includes('\u0000'), coded('chirp_nul'))
  .refine((body) => chirpLength(body) <= MAX_CHIRP_LENGTH, coded('chirp_too_long'));

export const newChirpSchema = z.object({ body: chirpBodySchema });

export const chirpIdSchema = z.guid('Chirp id must be a UUID');
export const authorIdSchema = z.guid('author_id must be a UUID');

/**
 * Where a page of chirps ended: the last chirp's creation time exactly as Postgres keeps it (to
 * the microsecond; a JavaScript Date would round it to the millisecond and skip or repeat rows
 * created within one millisecond) and its id, which breaks ties between equal times.
 */
export type ChirpPosition = { createdAt: string; id: string };

const POSITION_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const CURSOR_ALPHABET = /^[A-Za-z0-9_-]{1,200}$/;

/** A cursor is opaque to clients: base64url of `<time>/<id>`. */
export function encodeCursor(position: ChirpPosition): string {
  return Buffer.from(`${position.createdAt}/${position.id}`).toString('base64url');
}

/** A real instant Postgres accepts: `2026-02-30` or year 0 would make the query fail, not page. */
function isRealInstant(time: string): boolean {
  const millis = `${time.slice(0, 23)}Z`;
  const date = new Date(millis);
  return !time.startsWith('0000') && !Number.isNaN(date.getTime()) && date.toISOString() === millis;
}

export function decodeCursor(cursor: string): ChirpPosition | null {
  if (!CURSOR_ALPHABET.test(cursor)) return null;
  const [createdAt, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('/');
  if (createdAt === undefined || id === undefined || rest.length > 0) return null;
  if (!POSITION_TIME.test(createdAt) || !isRealInstant(createdAt)) return null;
  return z.guid().safeParse(id).success ? { createdAt, id } : null;
}

const LIMIT_MESSAGE = `limit must be a whole number from 1 to ${MAX_CHIRPS_PAGE_LIMIT}`;

export const chirpListQuerySchema = z.object({
  author_id: authorIdSchema.optional(),
  sort: z.enum(['asc', 'desc'], { error: 'sort must be asc or desc' }).default('asc'),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, LIMIT_MESSAGE)
    .transform(Number)
    .refine((limit) => limit >= 1 && limit <= MAX_CHIRPS_PAGE_LIMIT, LIMIT_MESSAGE)
    .optional(),
  cursor: z
    .string()
    .transform((cursor, context) => {
      const position = decodeCursor(cursor);
      if (position === null) {
        context.addIssue({ code: 'custom', message: 'cursor is not valid: pass the one a previous page linked to' });
        return z.NEVER;
      }
      return position;
    })
    .optional(),
});

export type ChirpListQuery = z.infer<typeof chirpListQuerySchema>;

/** One page: its chirps, and the cursor of the next one (null when this page is the last). */
export type ChirpPage<T> = { chirps: T[]; next: string | null };

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

// The drivers hand timestamps over as Postgres writes them (drizzle's setting): Dates are made here.
const chirpRows = z.object({
  rows: z.array(
    z.object({
      id: z.string(),
      createdAt: z.coerce.date(),
      updatedAt: z.coerce.date(),
      body: z.string(),
      userId: z.string(),
    }),
  ),
});

const CHIRP_COLUMNS = sql.raw('id, created_at as "createdAt", updated_at as "updatedAt", body, user_id as "userId"');

// Posting and reading one chirp are the API's busiest calls: prepared once (lib/db/statement.ts).
const insertChirpStatement = prepareStatement(
  'chirpy_insert_chirp',
  () => sql`insert into chirps (user_id, body) values (${sql.placeholder('userId')}::uuid, ${sql.placeholder('body')})
    returning ${CHIRP_COLUMNS}`,
);

const chirpByIdStatement = prepareStatement(
  'chirpy_chirp_by_id',
  () => sql`select ${CHIRP_COLUMNS} from chirps where id = ${sql.placeholder('chirpId')}::uuid`,
);

// A chirp from a caller known by its access token alone: written only while its session lives,
// the session check and the insert in one statement (one round trip instead of two).
const insertChirpInSessionStatement = prepareStatement(
  'chirpy_insert_chirp_in_session',
  () => sql`insert into chirps (user_id, body)
    select ${sql.placeholder('userId')}::uuid, ${sql.placeholder('body')}
    where exists (select 1 from refresh_tokens t where ${liveSessionCondition(sql`t`)})
    returning ${CHIRP_COLUMNS}`,
);

/** Posts a chirp for the claimed session; null when that session is no longer alive (nothing written). */
export async function createChirpInSession(
  session: { userId: string; sessionId: string; client: SessionClient },
  body: string,
): Promise<Chirp | null> {
  const values = { ...sessionCheckValues(session.sessionId, session.userId, session.client), body: censorChirp(body) };
  const [chirp] = chirpRows.parse(await insertChirpInSessionStatement(values)).rows;
  return chirp ?? null;
}

export async function createChirp(userId: string, body: string): Promise<Chirp> {
  const [chirp] = chirpRows.parse(await insertChirpStatement({ userId, body: censorChirp(body) })).rows;
  if (!chirp) throw new Error('insert returned no row');
  return chirp;
}

type Sort = 'asc' | 'desc';

const positionTime = sql<string>`to_char(${chirps.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

function chirpOrder(sort: Sort): SQL[] {
  return sort === 'desc' ? [desc(chirps.createdAt), desc(chirps.id)] : [asc(chirps.createdAt), asc(chirps.id)];
}

/**
 * The chirps after `position` in `sort` order. The row comparison is the exact rule; the plain
 * bound on created_at beside it is what lets an index on created_at start the scan there.
 */
function afterPosition(position: ChirpPosition, sort: Sort): SQL | undefined {
  const time = sql`${position.createdAt}::timestamptz`;
  const id = sql`${position.id}::uuid`;
  return sort === 'desc'
    ? and(lte(chirps.createdAt, time), sql`(${chirps.createdAt}, ${chirps.id}) < (${time}, ${id})`)
    : and(gte(chirps.createdAt, time), sql`(${chirps.createdAt}, ${chirps.id}) > (${time}, ${id})`);
}

function chirpFilter(authorId: string | undefined, after: ChirpPosition | undefined, sort: Sort): SQL | undefined {
  return and(
    authorId === undefined ? undefined : eq(chirps.userId, authorId),
    after === undefined ? undefined : afterPosition(after, sort),
  );
}

/** Cuts the one extra row a page query asks for, which tells whether another page follows. */
function toPage<T>(rows: { item: T; position: string; id: string }[], limit: number): ChirpPage<T> {
  const items = rows.slice(0, limit);
  const last = rows[limit - 1];
  const next = rows.length > limit && last ? encodeCursor({ createdAt: last.position, id: last.id }) : null;
  return { chirps: items.map((row) => row.item), next };
}

/**
 * Every matching chirp when the query names neither `limit` nor `cursor` (the original
 * contract); otherwise one page of `limit` (CHIRPS_PAGE_SIZE by default) after the cursor.
 */
export async function listChirps(query: ChirpListQuery): Promise<ChirpPage<Chirp>> {
  const db = await getDb();
  const paged = query.limit !== undefined || query.cursor !== undefined;
  const limit = query.limit ?? getSettings().CHIRPS_PAGE_SIZE;
  const select = db
    .select({ item: chirps, position: positionTime, id: chirps.id })
    .from(chirps)
    .where(chirpFilter(query.author_id, query.cursor, query.sort))
    .orderBy(...chirpOrder(query.sort));
  if (!paged) return { chirps: (await select).map((row) => row.item), next: null };
  return toPage(await select.limit(limit + 1), limit);
}

/**
 * A chirp as the timeline shows it. The author is named by the part of their address before the
 * `@`, cut in SQL, so a public page never even receives the whole address.
 */
export type TimelineChirp = {
  id: string;
  body: string;
  /** When it was written: an ISO instant to the millisecond, as `Date.prototype.toISOString` writes it. */
  createdAt: string;
  authorId: string;
  authorName: string;
  authorIsChirpyRed: boolean;
};

const authorName = sql<string>`split_part(${users.email}, '@', 1)`;

/**
 * The timeline's one query, for every page: read as plain rows (below), not through drizzle's
 * builder, whose mapping of a nested selection costs a large share of a page's query time.
 */
function timelineSelect(filter: SQL | undefined, limit: SQLWrapper): SQL {
  return sql`select ${chirps.id} as id, ${chirps.body} as body,
      ${chirps.userId} as "authorId", ${authorName} as "authorName", ${users.isChirpyRed} as "authorIsChirpyRed",
      ${positionTime} as position
    from ${chirps} inner join ${users} on ${users.id} = ${chirps.userId}
    ${filter === undefined ? sql`` : sql`where ${filter}`}
    order by ${sql.join(chirpOrder('desc'), sql`, `)}
    limit ${limit}`;
}

// The first page of everyone's timeline is every visit to `/`: prepared once (lib/db/statement.ts).
const firstTimelinePage = prepareStatement('chirpy_timeline_first_page', () =>
  timelineSelect(undefined, sql.placeholder('limit')),
);

const timelineRows = z.object({
  rows: z.array(
    z.object({
      id: z.string(),
      body: z.string(),
      authorId: z.string(),
      authorName: z.string(),
      authorIsChirpyRed: z.boolean(),
      position: z.string(),
    }),
  ),
});

/** Newest first, one page at a time: everyone's chirps, or one author's. */
export async function listTimeline(query: {
  authorId?: string;
  cursor?: ChirpPosition;
  limit: number;
}): Promise<ChirpPage<TimelineChirp>> {
  // One row more than the page, to tell whether another page follows (toPage).
  const limit = query.limit + 1;
  const result =
    query.authorId === undefined && query.cursor === undefined
      ? await firstTimelinePage({ limit })
      : await (await getDb()).execute(timelineSelect(chirpFilter(query.authorId, query.cursor, 'desc'), sql`${limit}`));
  const { rows } = timelineRows.parse(result);
  return toPage(
    rows.map(({ position, ...row }) => ({ item: { ...row, createdAt: toInstant(position) }, position, id: row.id })),
    query.limit,
  );
}

/**
 * A position's time (to the microsecond) as the instant pages show, to the millisecond: cut
 * rather than parsed, as a Date would also drop the last three digits.
 */
function toInstant(position: string): string {
  return `${position.slice(0, 23)}Z`;
}

export type ChirpAuthor = { id: string; name: string; isChirpyRed: boolean };

/** An author's public face: the name the timeline shows, never the address. */
export async function findAuthor(userId: string): Promise<ChirpAuthor | null> {
  const db = await getDb();
  const [author] = await db
    .select({ id: users.id, name: authorName, isChirpyRed: users.isChirpyRed })
    .from(users)
    .where(eq(users.id, userId));
  return author ?? null;
}

export async function findChirp(chirpId: string): Promise<Chirp | null> {
  const [chirp] = chirpRows.parse(await chirpByIdStatement({ chirpId })).rows;
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
