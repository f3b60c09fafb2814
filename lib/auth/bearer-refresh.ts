import 'server-only';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { getRateLimit } from '../config';
import { prepareStatement } from '../db/statement';
import type { RequestContext } from '../http/request-context';
import { carriedHitColumns, countingUpsert, judgeHit, type RateLimited } from '../rate-limit';
import type { RefreshFailure } from './session-check';
import { hashRefreshToken, isRefreshTokenFormat } from './tokens';

const bearerRows = z.object({
  rows: z.array(
    z.object({
      ...carriedHitColumns,
      presented_user_id: z.string().nullable(),
      user_id: z.string().nullable(),
      session_id: z.string().nullable(),
    }),
  ),
});

/**
 * The API's refresh: a bearer refresh token, unrevoked and unexpired, names its user and session.
 * Nothing rotates on this path. One statement: the use is counted against the session's limit
 * and, within it, recorded (when and from where). Tokens that are not valid count against nothing
 * and leave no row. The user exists while the token does (its rows
 * go with the user), so the user row itself is not read.
 */
const bearerRefreshStatement = prepareStatement('chirpy_bearer_refresh', () => {
  const at = sql`${sql.placeholder('at')}::timestamptz`;
  const presented = sql`token_hash = ${sql.placeholder('tokenHash')} and client = 'bearer' and revoked_at is null
    and expires_at > ${at}`;
  return sql`
    with presented as (
      select session_id, user_id from refresh_tokens where ${presented}
    ), hit as (
      ${countingUpsert(sql`select 'bearer_refresh:' || session_id from presented`, sql.placeholder('windowSeconds'))}
    ), used as (
      update refresh_tokens set last_used_at = ${at}, ip = ${sql.placeholder('ip')}
      where ${presented} and (select hits from hit) <= ${sql.placeholder('limit')}::int
      returning user_id, session_id
    )
    select (select hits from hit) as hits, (select retry_after from hit) as retry_after,
      presented.user_id::text as presented_user_id, used.user_id::text as user_id, used.session_id::text as session_id
    from (select 1) as one
      left join presented on true
      left join used on true`;
});

export async function validateRefreshToken(
  token: string,
  context: RequestContext,
): Promise<{ ok: true; userId: string; sessionId: string } | { ok: false; reason: RefreshFailure } | RateLimited> {
  if (!isRefreshTokenFormat(token)) return { ok: false, reason: 'unknown' };
  const { limit, windowSeconds } = getRateLimit('bearer_refresh');
  const result = bearerRows.parse(
    await bearerRefreshStatement({
      tokenHash: hashRefreshToken(token),
      at: new Date().toISOString(),
      ip: context.ip,
      limit,
      windowSeconds,
    }),
  );
  const [row] = result.rows;
  if (row?.user_id && row.session_id) return { ok: true, userId: row.user_id, sessionId: row.session_id };
  if (!row?.presented_user_id || row.hits === null || row.hits <= limit) return { ok: false, reason: 'unknown' };
  const hit = { hits: row.hits, limit, retryAfterSeconds: row.retry_after ?? 1 };
  const judged = await judgeHit(hit, 'bearer_refresh', { userId: row.presented_user_id, context });
  return judged.ok ? { ok: false, reason: 'unknown' } : judged;
}
