import 'server-only';
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { recordAuthEvent } from './audit';
import { getRateLimit, type RateLimitRule } from './config';
import { getDb } from './db/client';
import { rateLimits } from './db/schema';
import type { RequestContext } from './http/forwarded';

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

type Hit = { hits: number; limit: number; retryAfterSeconds: number };

// hits stops growing just below the column's maximum, so a flood can never overflow it.
const MAX_HITS = 2_147_483_646;

async function countHit(rule: RateLimitRule, subject: string): Promise<Hit> {
  const { limit, windowSeconds } = getRateLimit(rule);
  const window = sql`make_interval(secs => ${windowSeconds})`;
  const expired = sql`${rateLimits.windowStartedAt} + ${window} <= now()`;
  const db = await getDb();
  const [row] = await db
    .insert(rateLimits)
    .values({ key: `${rule}:${subject}`, windowStartedAt: sql`now()`, hits: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        windowStartedAt: sql`CASE WHEN ${expired} THEN now() ELSE ${rateLimits.windowStartedAt} END`,
        hits: sql`CASE WHEN ${expired} THEN 1 ELSE LEAST(${rateLimits.hits}, ${MAX_HITS}) + 1 END`,
      },
    })
    .returning({
      hits: rateLimits.hits,
      // Whole seconds until the window ends, never 0: "retry in 0 seconds" invites a hot loop.
      retryAfterSeconds:
        sql<number>`GREATEST(1, CEIL(EXTRACT(EPOCH FROM (${rateLimits.windowStartedAt} + ${window} - now()))))::int`.mapWith(
          Number,
        ),
    });
  if (!row) throw new Error('rate limit upsert returned no row');
  return { hits: row.hits, limit, retryAfterSeconds: row.retryAfterSeconds };
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
  const hit = await countHit(rule, subject);
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

/**
 * A subject that names a person without storing what they typed: the rate_limits table must not
 * become a list of every address someone tried to sign in with.
 */
export function hashedSubject(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** The per-address subject. An unknown address (no socket, no trusted header) is one bucket. */
export function addressSubject(context: RequestContext): string {
  return context.ip ?? 'unknown';
}
