import { createHash } from 'node:crypto';
import type { Client } from 'pg';
import { inject } from 'vitest';
import { withConnection } from '../../harness/fresh-database';

/**
 * The suite's own look at the database (directly, not through the relay): row counts, content
 * fingerprints, and the integrity checks that must hold after any fault.
 */
export const databaseUrl = inject('reliabilityDatabaseUrl');

export function withDatabase<T>(work: (client: Client) => Promise<T>, url = databaseUrl): Promise<T> {
  return withConnection(url, work);
}

export async function query<T>(text: string, values: unknown[] = []): Promise<T[]> {
  return withDatabase(async (client) => (await client.query(text, values)).rows);
}

export const APP_TABLES = [
  'users',
  'refresh_tokens',
  'chirps',
  'rate_limits',
  'auth_events',
  'sign_in_challenges',
  'totp_factors',
  'recovery_codes',
  'passkeys',
  'webauthn_challenges',
] as const;
export type AppTable = (typeof APP_TABLES)[number];

/** Per table: its row count and a digest of every row, so any change at all shows. */
export type Fingerprint = Record<AppTable, string>;

export async function fingerprint(client: Client): Promise<Fingerprint> {
  const parts = APP_TABLES.map(
    (table) =>
      `(select count(*) || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') from ${table} t) as ${table}`,
  );
  const { rows } = await client.query(`select ${parts.join(', ')}`);
  const row: Record<string, unknown> = rows[0] ?? {};
  const result = {} as Fingerprint;
  for (const table of APP_TABLES) result[table] = String(row[table]);
  return result;
}

export function changedTables(before: Fingerprint, after: Fingerprint): AppTable[] {
  return APP_TABLES.filter((table) => before[table] !== after[table]);
}

export type SessionState = { sessions: number; liveTokens: number; tokens: number };

/** What the database holds for one user's sessions. */
export async function sessionState(userId: string): Promise<SessionState> {
  const [row] = await query<{ sessions: string; live: string; tokens: string }>(
    `select count(distinct session_id) as sessions,
       count(*) filter (where revoked_at is null and expires_at > now()) as live,
       count(*) as tokens
     from refresh_tokens where user_id = $1`,
    [userId],
  );
  return { sessions: Number(row?.sessions), liveTokens: Number(row?.live), tokens: Number(row?.tokens) };
}

export async function liveTokensOfSession(sessionId: string): Promise<number> {
  const [row] = await query<{ live: string }>(
    'select count(*) as live from refresh_tokens where session_id = $1 and revoked_at is null',
    [sessionId],
  );
  return Number(row?.live);
}

export async function sessionIdOf(refreshToken: string): Promise<string> {
  const [row] = await query<{ session_id: string }>('select session_id from refresh_tokens where token_hash = $1', [
    sha256(refreshToken),
  ]);
  if (!row) throw new Error('no such refresh token');
  return row.session_id;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * Half-written rows, any of which a fault must never leave behind: a token without its user, a
 * browser session with two live tokens (a forked rotation), a retired token whose successor was
 * never written, two tokens retired into one successor, a chirp without its author, an audit
 * event naming a user who does not exist.
 */
export async function integrityViolations(): Promise<Record<string, number>> {
  const checks: Record<string, string> = {
    tokensWithoutUser: 'select count(*) from refresh_tokens t left join users u on u.id = t.user_id where u.id is null',
    sessionsWithTwoLiveTokens: `select count(*) from (select session_id from refresh_tokens
        where client = 'browser' and revoked_at is null group by session_id having count(*) > 1) s`,
    bearerSessionsWithTwoTokens: `select count(*) from (select session_id from refresh_tokens
        where client = 'bearer' group by session_id having count(*) > 1) s`,
    rotationsWithoutSuccessor: `select count(*) from refresh_tokens t where t.revoked_reason = 'rotated'
        and not exists (select 1 from refresh_tokens s where s.token_hash = t.replaced_by)`,
    rotationsWithTwoPredecessors: `select count(*) from (select replaced_by from refresh_tokens
        where replaced_by is not null group by replaced_by having count(*) > 1) s`,
    successorsInAnotherSession: `select count(*) from refresh_tokens t join refresh_tokens s on s.token_hash = t.replaced_by
        where s.session_id <> t.session_id or s.user_id <> t.user_id`,
    chirpsWithoutAuthor: 'select count(*) from chirps c left join users u on u.id = c.user_id where u.id is null',
    eventsOfMissingUsers:
      'select count(*) from auth_events e left join users u on u.id = e.user_id where e.user_id is not null and u.id is null',
  };
  return withDatabase(async (client) => {
    const result: Record<string, number> = {};
    for (const [name, sql] of Object.entries(checks)) {
      const { rows } = await client.query<{ count: string }>(sql);
      result[name] = Number(rows[0]?.count);
    }
    return result;
  });
}
