import bcrypt from 'bcryptjs';
import { createRefreshTokenValue, hashRefreshToken } from '../lib/auth/tokens';
import { REFRESH_TOKEN_TTL_DAYS } from '../lib/config';
import { type BenchSql, literal } from './sql';

/**
 * The bench's data, written straight into the tables (generate_series: a million rows in
 * seconds, not hours of sign-ups). Token values the harness must present are made and hashed by
 * the app's own functions (lib/auth/tokens.ts), so they are exactly what the app would issue.
 */

export const PASSWORD = 'bench-password-1234';
export const AUTHORS = 100;
export const SMALL_ROWS = 1_000;
export const BIG_ROWS = 1_000_000;
const FILLER_USERS = 10_000;
// The million-row inserts go in chunks: each statement stays short and the run shows progress.
const CHUNK_ROWS = 100_000;

/** Accounts with one job each, so what a scenario writes can be found and removed again. */
export const ACCOUNTS = {
  session: 'bench-session@example.com',
  poster: 'bench-poster@example.com',
  refresh: 'bench-refresh@example.com',
  rotation: 'bench-rotation@example.com',
  own: 'bench-own@example.com',
} as const;

/** How many chirps of its own the `own` account's first page holds: a whole page. */
export const OWN_CHIRPS = 50;

export const authorEmail = (n: number): string => `bench-author-${n}@example.com`;

const userId = (email: string) => `(SELECT id FROM users WHERE email = ${literal(email)})`;

/**
 * Users (every one with PASSWORD, hashed at BCRYPT_COST=10 like a sign-up would), 1,000 chirps,
 * and the `own` account's page of its own chirps.
 */
export async function seedBase(sql: BenchSql): Promise<void> {
  const hash = await bcrypt.hash(PASSWORD, 10);
  await sql.run(
    `INSERT INTO users (email, hashed_password)
     SELECT 'bench-author-' || g || '@example.com', ${literal(hash)} FROM generate_series(1, ${AUTHORS}) g`,
  );
  const accounts = Object.values(ACCOUNTS).map((email) => `(${literal(email)}, ${literal(hash)})`);
  await sql.run(`INSERT INTO users (email, hashed_password) VALUES ${accounts.join(', ')}`);
  await insertChirps(sql, 1, SMALL_ROWS);
  // Dated a day ahead, seconds apart, so newer than every other chirp, including the ones the
  // posting scenario adds during the run: the first page of every timeline, in every round.
  await sql.run(
    `INSERT INTO chirps (user_id, body, created_at, updated_at)
     SELECT ${userId(ACCOUNTS.own)},
            'My chirp ' || g || ': the quick brown fox jumps over the lazy dog, twice, then naps in the sun.',
            now() + interval '1 day' - g * interval '1 second', now() + interval '1 day' - g * interval '1 second'
     FROM generate_series(1, ${OWN_CHIRPS}) g`,
  );
}

/**
 * Chirps numbered from..to, a minute apart going back from now for the first thousand and older
 * the higher the number, so growing the table adds history and the newest page stays the same.
 * Authors are spread over the bench's authors (and filler users once there are any).
 */
async function insertChirps(sql: BenchSql, from: number, to: number): Promise<void> {
  await sql.run(
    `INSERT INTO chirps (user_id, body, created_at, updated_at)
     SELECT a.ids[1 + g % a.n],
            left('Chirp ' || g || ': the quick brown fox jumps over the lazy dog, twice, then naps in the sun.', 140),
            now() - g * interval '1 minute', now() - g * interval '1 minute'
     FROM generate_series(${from}, ${to}) g,
          (SELECT array_agg(id ORDER BY id) AS ids, count(*)::int AS n FROM users
           WHERE email LIKE 'bench-author-%' OR email LIKE 'bench-filler-%') a`,
  );
}

/**
 * Refresh tokens that nobody presents: a browser session's history, nine retired tokens for each
 * live one, spread over the bench's users. They make the table big the way rotation does.
 */
async function insertFillerTokens(sql: BenchSql, from: number, to: number): Promise<void> {
  await sql.run(
    `INSERT INTO refresh_tokens (token_hash, user_id, session_id, client, session_started_at, expires_at,
                                 last_used_at, revoked_at, revoked_reason, created_at, updated_at)
     SELECT encode(sha256(convert_to('bench-filler-token-' || g, 'UTF8')), 'hex'),
            a.ids[1 + (g / 10) % a.n], md5('bench-filler-session-' || (g / 10))::uuid, 'browser',
            now() - interval '1 day', now() + interval '59 days', now() - interval '1 hour',
            CASE WHEN g % 10 = 9 THEN NULL ELSE now() - interval '1 hour' END,
            CASE WHEN g % 10 = 9 THEN NULL ELSE 'rotated' END,
            now() - interval '1 day', now() - interval '1 hour'
     FROM generate_series(${from}, ${to}) g,
          (SELECT array_agg(id ORDER BY id) AS ids, count(*)::int AS n FROM users
           WHERE email LIKE 'bench-author-%' OR email LIKE 'bench-filler-%') a`,
  );
}

export const countTokens = (sql: BenchSql): Promise<number> => sql.number('SELECT count(*)::int FROM refresh_tokens');
export const countChirps = (sql: BenchSql): Promise<number> => sql.number('SELECT count(*)::int FROM chirps');

/** Tops refresh_tokens up to `rows` with filler (the bench's own sessions count towards it). */
export async function fillTokensTo(sql: BenchSql, rows: number): Promise<void> {
  const missing = rows - (await countTokens(sql));
  if (missing > 0) await insertFillerTokens(sql, 1, missing);
}

/**
 * Grows chirps and refresh_tokens to BIG_ROWS each (plus FILLER_USERS users to own them), then
 * vacuums and analyzes, as autovacuum would soon after such growth, and checkpoints. Done here
 * rather than left to the server's background work, because a vacuum of a million fresh rows or
 * the write-back of the load, running during phase B, would be measured as if it were the cost of
 * the tables' size.
 */
export async function growTables(sql: BenchSql, progress: (line: string) => void): Promise<void> {
  await sql.run(
    `INSERT INTO users (email, hashed_password)
     SELECT 'bench-filler-' || g || '@example.com', 'not-a-hash' FROM generate_series(1, ${FILLER_USERS}) g`,
  );
  const grow = async (table: string, count: (sql: BenchSql) => Promise<number>, insert: typeof insertChirps) => {
    const start = await count(sql);
    // Filler tokens are numbered after those fillTokensTo wrote, so no hash repeats.
    for (let from = start + 1, chunk = 0; from <= BIG_ROWS && chunk < BIG_ROWS / CHUNK_ROWS + 1; chunk++) {
      const to = Math.min(BIG_ROWS, from + CHUNK_ROWS - 1);
      await insert(sql, from, to);
      progress(`  ${table}: ${to.toLocaleString('en')} of ${BIG_ROWS.toLocaleString('en')}`);
      from = to + 1;
    }
  };
  // Side by side: each statement keeps one core busy, and PostgreSQL has two to give (the embedded
  // database takes them in turn, which costs nothing).
  await Promise.all([
    grow('chirps', countChirps, insertChirps),
    grow('refresh_tokens', countTokens, insertFillerTokens),
  ]);
  await sql.run('VACUUM ANALYZE');
  // Writing two million rows fills PostgreSQL's WAL and starts a checkpoint that spreads its
  // writes over minutes (checkpoint_completion_target): finish it now, not under phase B's load.
  // It needs a superuser or pg_checkpoint; without either the run goes on and says so.
  try {
    await sql.run('CHECKPOINT');
  } catch {
    progress("  (could not CHECKPOINT: phase B may share the machine with the load's write-back)");
  }
}

/** Sessions made straight in the table, with the values a client would present. */
export type PresentableSessions = { marker: string; tokens: string[] };

const SESSION_CHUNK = 5_000;

/**
 * `count` sessions of `email`, each with one never-used refresh token: `browser` sessions for the
 * rotation scenario, `bearer` ones for refresh. `marker` (in user_agent) finds them again.
 */
export async function createSessions(
  sql: BenchSql,
  email: string,
  client: 'browser' | 'bearer',
  count: number,
  marker: string,
): Promise<PresentableSessions> {
  const tokens = Array.from({ length: count }, () => createRefreshTokenValue());
  for (let start = 0; start < tokens.length; start += SESSION_CHUNK) {
    const hashes = tokens.slice(start, start + SESSION_CHUNK).map((token) => literal(hashRefreshToken(token)));
    await sql.run(
      `INSERT INTO refresh_tokens (token_hash, user_id, session_id, client, session_started_at, expires_at,
                                   last_used_at, user_agent, ip, created_at, updated_at)
       SELECT h, ${userId(email)}, gen_random_uuid(), ${literal(client)}, now(),
              now() + interval '${REFRESH_TOKEN_TTL_DAYS} days', now(), ${literal(marker)}, '127.0.0.1', now(), now()
       FROM unnest(ARRAY[${hashes.join(', ')}]::text[]) AS h`,
    );
  }
  return { marker, tokens };
}

/** How many of the marked sessions' tokens were retired by rotation, and how many successors exist. */
export async function countRotations(sql: BenchSql, marker: string): Promise<{ rotated: number; successors: number }> {
  const [row] = await sql.rows(
    `SELECT count(*) FILTER (WHERE t.user_agent = ${literal(marker)} AND t.revoked_reason = 'rotated')::int AS rotated,
            count(*) FILTER (WHERE t.user_agent IS DISTINCT FROM ${literal(marker)})::int AS successors
     FROM refresh_tokens t
     WHERE t.session_id IN (SELECT session_id FROM refresh_tokens WHERE user_agent = ${literal(marker)})`,
  );
  return { rotated: Number(row?.rotated ?? 0), successors: Number(row?.successors ?? 0) };
}

/** Removes the marked sessions, successors included, so the next run starts from the same table. */
export async function deleteSessions(sql: BenchSql, marker: string): Promise<void> {
  await sql.run(
    `DELETE FROM refresh_tokens
     WHERE session_id IN (SELECT session_id FROM refresh_tokens WHERE user_agent = ${literal(marker)})`,
  );
}

/** Deletes what the posting scenario wrote; answers how many chirps that was. */
export async function deletePostedChirps(sql: BenchSql): Promise<number> {
  return sql.number(
    `WITH deleted AS (DELETE FROM chirps WHERE user_id = ${userId(ACCOUNTS.poster)} RETURNING 1)
     SELECT count(*)::int FROM deleted`,
  );
}

export const anyUserId = (sql: BenchSql): Promise<string> =>
  sql.text(`SELECT id::text FROM users WHERE email = ${literal(authorEmail(1))}`);

export const anyChirpId = (sql: BenchSql): Promise<string> =>
  sql.text('SELECT id::text FROM chirps ORDER BY created_at DESC LIMIT 1');
