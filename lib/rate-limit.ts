import 'server-only';
import { eq, type Placeholder, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { recordAuthEvent } from './audit';
import { getRateLimit, getSettings, type RateLimitRule } from './config';
import { getDb } from './db/client';
import { rateLimits } from './db/schema';
import { addressNetwork } from './http/client-network';
import type { RequestContext } from './http/request-context';

/**
 * Fixed-window rate limits kept in Postgres, so every instance counts against the same rows.
 *
 * A check is one statement: an upsert that adds the hit and returns the count. Postgres locks
 * the row for the upsert, so concurrent checks of one key queue and each sees the count left by
 * the one before: of N parallel attempts against a limit of k, exactly k pass. Time is the
 * database's `now()`, so instances with drifting clocks still agree on when a window ends.
 */

export type { RateLimitRule };

export type RateLimitVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/** What a flow returns when a limit stopped it: the caller answers 429 with Retry-After. */
export type RateLimited = { ok: false; reason: 'rate_limited'; retryAfterSeconds: number };

export type Hit = { hits: number; limit: number; retryAfterSeconds: number };

// hits stops growing just below the column's maximum, so a flood can never overflow it.
const MAX_HITS = 2_147_483_646;

/**
 * The counting upsert, as SQL of its own so that another statement can carry it in a WITH clause
 * (a cookie rotation checks its limit and rotates in one round trip). `keys` is a SELECT yielding
 * the key to count (no row: nothing is counted). It returns `hits` and `retry_after` (whole
 * seconds until the window ends, never 0: "retry in 0 seconds" invites a hot loop).
 * `windowSeconds` is a value, or a placeholder in a prepared statement (lib/db/statement.ts).
 */
export function countingUpsert(keys: SQL, windowSeconds: number | Placeholder): SQL {
  const window = sql`make_interval(secs => ${windowSeconds}::int)`;
  const expired = sql`rate_limits.window_started_at + ${window} <= now()`;
  return sql`insert into rate_limits (key, window_started_at, hits)
    select key, now(), 1 from (${keys}) as counted (key)
    on conflict (key) do update set
      window_started_at = case when ${expired} then now() else rate_limits.window_started_at end,
      hits = case when ${expired} then 1 else least(rate_limits.hits, ${MAX_HITS}) + 1 end
    returning hits,
      greatest(1, ceil(extract(epoch from (window_started_at + ${window} - now()))))::int as retry_after`;
}

const hitRows = z.object({ rows: z.array(z.object({ hits: z.number(), retry_after: z.number() })) });

/**
 * The columns countingUpsert adds to the answer of a statement that carries it: both null when the
 * statement counted nothing (its key SELECT found no row).
 */
export const carriedHitColumns = {
  hits: z.number().nullable(),
  retry_after: z.number().nullable(),
};

function limitKey(rule: RateLimitRule, subject: string): string {
  return `${rule}:${subject}`;
}

async function countHit(rule: RateLimitRule, subject: string): Promise<Hit> {
  const db = await getDb();
  const { windowSeconds } = getRateLimit(rule);
  const result = hitRows.parse(await db.execute(countingUpsert(sql`select ${limitKey(rule, subject)}`, windowSeconds)));
  const [row] = result.rows;
  if (!row) throw new Error('rate limit upsert returned no row');
  return { hits: row.hits, limit: getRateLimit(rule).limit, retryAfterSeconds: row.retry_after };
}

/** What a flow does with a counted hit: over the limit, the first refusal of a window is audited. */
export async function judgeHit(
  hit: Hit,
  rule: RateLimitRule,
  witness: RateLimitWitness,
): Promise<{ ok: true } | RateLimited> {
  if (hit.hits <= hit.limit) return { ok: true };
  if (hit.hits === hit.limit + 1) {
    const userId = typeof witness.userId === 'function' ? await witness.userId() : witness.userId;
    await recordAuthEvent({
      type: 'rate_limited',
      userId,
      sessionId: witness.sessionId ?? null,
      detail: rule,
      context: witness.context,
    });
  }
  return { ok: false, reason: 'rate_limited', retryAfterSeconds: hit.retryAfterSeconds };
}

/** Counts one attempt by `subject` under `rule` and says whether it may go ahead. */
export async function consumeRateLimit(rule: RateLimitRule, subject: string): Promise<RateLimitVerdict> {
  const hit = await countHit(rule, subject);
  return hit.hits <= hit.limit ? { ok: true } : { ok: false, retryAfterSeconds: hit.retryAfterSeconds };
}

/** Who hit the limit, for the audit log. */
export type RateLimitWitness = {
  userId: string | null | (() => Promise<string | null>);
  sessionId?: string | null;
  context: RequestContext;
};

/**
 * consumeRateLimit for the flows: the first refusal of a window goes into the audit log (later
 * ones in the same window would only repeat it, and a flood must not become a flood of rows).
 * `userId` may be a function: the account is looked up only when there is something to record.
 */
export async function enforceRateLimit(
  rule: RateLimitRule,
  subject: string,
  witness: RateLimitWitness,
): Promise<{ ok: true } | RateLimited> {
  return judgeHit(await countHit(rule, subject), rule, witness);
}

/**
 * Takes back one counted attempt that turned out not to count (a sign-in that succeeded, for the
 * failures ceiling). Attempts are counted before their outcome is known, so parallel ones cannot
 * slip past a limit together; this settles one afterwards. Only while its window runs, and only
 * while nothing has been refused in it: once a refusal is on record (and audited), the count
 * stays where it is, so the window's refusal is audited once.
 */
export async function refundRateLimit(rule: RateLimitRule, subject: string): Promise<void> {
  const db = await getDb();
  const { limit, windowSeconds } = getRateLimit(rule);
  await db.execute(sql`update rate_limits set hits = hits - 1
    where key = ${limitKey(rule, subject)} and hits > 0 and hits <= ${limit}
      and window_started_at + make_interval(secs => ${windowSeconds}::int) > now()`);
}

/** Forgets a subject's count under `rule`: its next attempt starts a new window. */
export async function clearRateLimit(rule: RateLimitRule, subject: string): Promise<void> {
  const db = await getDb();
  await db.delete(rateLimits).where(eq(rateLimits.key, limitKey(rule, subject)));
}

/**
 * The per-address subject: the client's network (an IPv6 client's /64, by RATE_LIMIT_IPV6_PREFIX),
 * so one attacker's many addresses are one client. An unknown address (no socket, no trusted
 * header) is one bucket.
 */
export function addressSubject(context: RequestContext): string {
  if (context.ip === null) return 'unknown';
  return addressNetwork(context.ip, getSettings().RATE_LIMIT_IPV6_PREFIX);
}
