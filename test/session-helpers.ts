import { asc, eq, type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { decodeJwt } from 'jose';
import { expect, vi } from 'vitest';
import { z } from 'zod';
import { rotateRefreshToken } from '../lib/auth/session-rotation';
import { hashRefreshToken, issueSessionAccessToken } from '../lib/auth/tokens';
import { getSettings } from '../lib/config';
import { type Database, getDb, type OpenDatabase, swapDatabase } from '../lib/db/client';
import { type AuthEvent, authEvents, type RefreshToken, refreshTokens } from '../lib/db/schema';
import { ORIGIN, type SetCookie, setCookies } from './http';

/** Browser sessions seen from the database, the clock and the wire, for the cookie-session tests. */

export const DAY_SECONDS = 24 * 60 * 60;

/** Where the session tests' requests come from. */
export const SESSION_CONTEXT = { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (sessions test)' };

/** A rotation that must succeed with a successor; returns the successor's plaintext. */
export async function rotate(token: string): Promise<string> {
  const rotation = await rotateRefreshToken(token, SESSION_CONTEXT);
  if (!rotation.ok || rotation.refreshToken === null)
    throw new Error(`expected a new refresh token: ${JSON.stringify(rotation)}`);
  return rotation.refreshToken.value;
}

/** The audit log's events of one type, oldest first. */
export async function eventsOf(type: AuthEvent['type']): Promise<AuthEvent[]> {
  const db = await getDb();
  return db.select().from(authEvents).where(eq(authEvents.type, type)).orderBy(authEvents.id);
}

export function secondsFromNow(date: Date): number {
  return (date.getTime() - Date.now()) / 1000;
}

/** What a browser sends with a request from one of our own pages (the Host Next is given too). */
export const SAME_ORIGIN = { host: new URL(ORIGIN).host, origin: ORIGIN } as const;

/** The row of one refresh token, found the way the app finds it: by the token's hash. */
export async function tokenRow(token: string): Promise<RefreshToken> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, hashRefreshToken(token)));
  if (!row) throw new Error('no refresh_tokens row for this token');
  return row;
}

/** Every token ever issued in one session, oldest first. */
export async function sessionRows(sessionId: string): Promise<RefreshToken[]> {
  const db = await getDb();
  return db
    .select()
    .from(refreshTokens)
    .where(eq(refreshTokens.sessionId, sessionId))
    .orderBy(asc(refreshTokens.createdAt));
}

export function liveRows(rows: RefreshToken[]): RefreshToken[] {
  return rows.filter((row) => row.revokedAt === null);
}

type TimestampColumn = 'expiresAt' | 'lastUsedAt' | 'revokedAt';

/** Sets a timestamp of every token in a session to `seconds` before now (negative: after now). */
export async function setSessionTime(sessionId: string, column: TimestampColumn, seconds: number): Promise<void> {
  const db = await getDb();
  const when = new Date(Date.now() - seconds * 1000);
  await db
    .update(refreshTokens)
    .set({ [column]: when })
    .where(eq(refreshTokens.sessionId, sessionId));
}

/** Moves a token's retirement `seconds` into the past, as if that much time had gone by since. */
export async function retireSecondsAgo(token: string, seconds: number): Promise<void> {
  const db = await getDb();
  await db
    .update(refreshTokens)
    .set({ revokedAt: new Date(Date.now() - seconds * 1000) })
    .where(eq(refreshTokens.tokenHash, hashRefreshToken(token)));
}

/** A session access token that ran out a minute ago (well past the verifier's clock tolerance). */
export async function expiredAccessToken(userId: string, sessionId: string): Promise<string> {
  const lifetime = getSettings().SESSION_ACCESS_TTL_SECONDS;
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() - (lifetime + 60) * 1000 });
  try {
    return (await issueSessionAccessToken(userId, sessionId)).value;
  } finally {
    vi.useRealTimers();
  }
}

const accessClaims = z.object({ sub: z.string(), sid: z.string(), exp: z.number() });

/** The claims of a session access token (already verified by the code under test). */
export function accessTokenClaims(token: string): z.infer<typeof accessClaims> {
  return accessClaims.parse(decodeJwt(token));
}

/** The session a browser's access cookie names. */
export function sessionIdOf(session: { access: string }): string {
  return accessTokenClaims(session.access).sid;
}

/** A browser whose access cookie has run out: only the refresh cookie still works. */
export async function expiredCookies(session: { access: string; refresh: string }): Promise<Record<string, string>> {
  const { sub, sid } = accessTokenClaims(session.access);
  return { chirpy_access: await expiredAccessToken(sub, sid), chirpy_refresh: session.refresh };
}

/** A Set-Cookie the response must carry. */
export function cookieSet(response: Response, name: string): SetCookie {
  const cookie = setCookies(response).get(name);
  if (!cookie) throw new Error(`expected a Set-Cookie for ${name}`);
  return cookie;
}

export function maxAgeOf(cookie: SetCookie): number {
  return Number(cookie.attributes.get('max-age'));
}

/** How far a loaded machine may lag between issuing a token and the test looking at it. */
const SLACK_SECONDS = 30;

/** The cookie lives as long as its token has left: `seconds`, less the time the test took, never more. */
export function expectMaxAge(cookie: SetCookie, seconds: number): void {
  expect(maxAgeOf(cookie)).toBeLessThanOrEqual(seconds);
  expect(maxAgeOf(cookie)).toBeGreaterThanOrEqual(seconds - SLACK_SECONDS);
}

/** `actual` seconds is `expected`, give or take the time the test took. */
export function expectSecondsAbout(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(SLACK_SECONDS);
}

/** A Set-Cookie that deletes the cookie: empty value, `Max-Age=0`, the same scope it was set with. */
export function isCleared(cookie: SetCookie | undefined): boolean {
  return (
    cookie !== undefined &&
    cookie.value === '' &&
    cookie.attributes.get('max-age') === '0' &&
    cookie.attributes.get('path') === '/' &&
    cookie.attributes.get('httponly') === true
  );
}

/**
 * The cookies the proxy forwards to the rest of this same request (the page or route handler),
 * which Next carries in `x-middleware-request-cookie`; null when the proxy forwards the request
 * unchanged.
 */
export function forwardedCookies(response: Response): Map<string, string> | null {
  const overridden = response.headers.get('x-middleware-override-headers')?.split(',') ?? [];
  if (!overridden.includes('cookie')) return null;
  const cookies = new Map<string, string>();
  for (const pair of (response.headers.get('x-middleware-request-cookie') ?? '').split(/;\s*/)) {
    const separator = pair.indexOf('=');
    if (separator > 0) cookies.set(pair.slice(0, separator), decodeURIComponent(pair.slice(separator + 1)));
  }
  return cookies;
}

/** The proxy let the request through to the page or handler (as opposed to answering itself). */
export function passedThrough(response: Response): boolean {
  return response.headers.get('x-middleware-next') === '1';
}

/**
 * Opens as many pooled connections as a test is about to use at once, so that parallel requests
 * really overlap on a real Postgres instead of queueing behind connection set-up.
 */
export async function warmConnections(count: number): Promise<void> {
  const db = await getDb();
  const holdBriefly = () =>
    db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    });
  await Promise.all(Array.from({ length: count }, holdBriefly));
}

async function replaceDatabase(wrap: (db: Database) => Database): Promise<() => void> {
  await getDb();
  const real = swapDatabase(undefined);
  if (!real) throw new Error('the test database is not open');
  const open: OpenDatabase = await real;
  swapDatabase(Promise.resolve({ ...open, db: wrap(open.db) }));
  return () => swapDatabase(real);
}

/** Runs `work` counting every use of the database meanwhile. */
export async function countDatabaseUse<T>(work: () => Promise<T>): Promise<{ result: T; uses: number }> {
  let uses = 0;
  const restore = await replaceDatabase(
    (db) =>
      new Proxy(db, {
        get(target, property, receiver) {
          uses += 1;
          return Reflect.get(target, property, receiver);
        },
      }),
  );
  try {
    const result = await work();
    return { result, uses };
  } finally {
    restore();
  }
}

const dialect = new PgDialect();

/**
 * Runs `work` writing down the database work it does: the SQL text of every `execute` (the
 * values left out, as placeholders) and the name of every other use (`select`, `transaction`…).
 * Two runs with equal lists did the same statements in the same order.
 */
export async function recordDatabaseWork<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const restore = await replaceDatabase(
    (db) =>
      new Proxy(db, {
        get(target, property, receiver) {
          const value: unknown = Reflect.get(target, property, receiver);
          // `then` is the await machinery asking whether the database is a promise: not a use.
          if (property === 'then') return value;
          if (property !== 'execute' || typeof value !== 'function') {
            statements.push(String(property));
            return value;
          }
          return (query: SQL) => {
            statements.push(dialect.sqlToQuery(query).sql.replace(/\s+/g, ' ').trim());
            return Reflect.apply(value, target, [query]);
          };
        },
      }),
  );
  try {
    const result = await work();
    return { result, statements };
  } finally {
    restore();
  }
}

export type HeldStatements = {
  /** How many statements are being held now. */
  held: () => number;
  /** Lets the held statements (and any later ones) run. */
  release: () => void;
  /** Puts the plain database back (call release first, or the held ones wait forever). */
  restore: () => void;
};

/**
 * Holds every `execute` whose SQL text matches `pattern` until `release()`, as a database that is
 * slow to answer that one statement would: whatever completes meanwhile did not wait for it.
 */
export async function holdStatements(pattern: RegExp): Promise<HeldStatements> {
  let held = 0;
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const restore = await replaceDatabase(
    (db) =>
      new Proxy(db, {
        get(target, property, receiver) {
          const value: unknown = Reflect.get(target, property, receiver);
          if (property !== 'execute' || typeof value !== 'function') return value;
          return async (query: SQL) => {
            if (pattern.test(dialect.sqlToQuery(query).sql)) {
              held += 1;
              await gate;
              held -= 1;
            }
            return Reflect.apply(value, target, [query]);
          };
        },
      }),
  );
  return { held: () => held, release, restore };
}
