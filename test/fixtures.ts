import { eq } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { z } from 'zod';
import { POST as postChirp } from '../app/api/chirps/route';
import { POST as login } from '../app/api/login/route';
import { POST as createUser } from '../app/api/users/route';
import { getDb, swapDatabase } from '../lib/db/client';
import { resetOutageLog } from '../lib/db/fault-log';
import { openNodePostgres } from '../lib/db/node-postgres';
import { chirps, type RefreshToken, refreshTokens, type User, users } from '../lib/db/schema';
import { ISO_TIMESTAMP, jsonOf, makeRequest, setCookies, UUID } from './http';

/** Users and sessions made the way clients make them: through the route handlers. */

let counter = 0;

export function uniqueEmail(): string {
  counter += 1;
  return `user${counter}-${Date.now()}@example.com`;
}

export const PASSWORD = 'correct horse battery';

/** The password a test changes or resets to. */
export const NEW_PASSWORD = 'a brand new passphrase';

export type TestUser = { id: string; email: string; password: string };

export async function signUp(email = uniqueEmail(), password = PASSWORD): Promise<TestUser> {
  const { status, body } = await jsonOf(
    await createUser(makeRequest('POST', '/api/users', { json: { email, password } })),
  );
  expect(status).toBe(201);
  const { id } = z.object({ id: z.string() }).parse(body);
  return { id, email, password };
}

/**
 * The user each test of a file acts as, signed up afresh before the test (the database is emptied
 * between tests). After each test the clock is real again and spies are gone, so a fake timer or
 * a mocked module cannot leak into the next test. The same object is refilled before every test,
 * so a test reads `user.id` as it would a variable the hook assigns.
 */
export function newUserForEachTest(): TestUser {
  const user: TestUser = { id: '', email: '', password: '' };
  beforeEach(async () => {
    Object.assign(user, await signUp());
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });
  return user;
}

export type ApiSession = TestUser & { token: string; refreshToken: string };

/** A user signed in through the JSON contract: a bearer access token and refresh token. */
export async function apiSession(account?: TestUser): Promise<ApiSession> {
  const user = account ?? (await signUp());
  const { status, body } = await jsonOf(
    await login(makeRequest('POST', '/api/login', { json: { email: user.email, password: user.password } })),
  );
  expect(status).toBe(200);
  const { token, refresh_token } = z.object({ token: z.string(), refresh_token: z.string() }).parse(body);
  return { ...user, token, refreshToken: refresh_token };
}

export type BrowserSession = TestUser & { access: string; refresh: string };

/**
 * A user with a browser session: the two session cookies, from the JSON login a page script uses
 * (`X-Chirpy-Session: cookie`). The sign-in page's server action starts the same session.
 */
export async function browserSession(user?: TestUser): Promise<BrowserSession> {
  const account = user ?? (await signUp());
  const response = await login(
    makeRequest('POST', '/api/login', {
      json: { email: account.email, password: account.password },
      headers: { origin: 'http://localhost:3000', 'x-chirpy-session': 'cookie' },
    }),
  );
  expect(response.status).toBe(200);
  const cookies = setCookies(response);
  const access = cookies.get('chirpy_access')?.value;
  const refresh = cookies.get('chirpy_refresh')?.value;
  if (!access || !refresh) throw new Error('the cookie-session login set no session cookies');
  return { ...account, access, refresh };
}

/** What the contract says a user looks like in a response: these keys exactly, never the hash. */
export function publicUserMatching(email: string, isChirpyRed = false) {
  return {
    id: expect.stringMatching(UUID),
    created_at: expect.stringMatching(ISO_TIMESTAMP),
    updated_at: expect.stringMatching(ISO_TIMESTAMP),
    email,
    is_chirpy_red: isChirpyRed,
  };
}

/** What `GET /api/me` answers: the public fields, and the state of the address (unconfirmed after sign-up). */
export function publicAccountMatching(
  email: string,
  state = { email_verified: false, pending_email: null as string | null },
) {
  return { ...publicUserMatching(email), ...state };
}

const publicUserSchema = z.strictObject({
  id: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  email: z.string(),
  is_chirpy_red: z.boolean(),
});

export type PublicUserBody = z.infer<typeof publicUserSchema>;

/** Reads a response body as a user (throws on any other shape); assert the details separately. */
export function asPublicUser(body: unknown): PublicUserBody {
  return publicUserSchema.parse(body);
}

const publicChirpSchema = z.strictObject({
  id: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  body: z.string(),
  user_id: z.string(),
});

export type PublicChirpBody = z.infer<typeof publicChirpSchema>;

export function asPublicChirp(body: unknown): PublicChirpBody {
  return publicChirpSchema.parse(body);
}

/** A chirp posted through the route handler, as its author's client sees it. */
export async function chirp(token: string, body: string): Promise<PublicChirpBody> {
  const response = await jsonOf(await postChirp(makeRequest('POST', '/api/chirps', { json: { body }, bearer: token })));
  expect(response.status).toBe(201);
  return asPublicChirp(response.body);
}

export async function rowCounts(): Promise<{ users: number; chirps: number; refreshTokens: number }> {
  const db = await getDb();
  const [userCount, chirpCount, tokenCount] = await Promise.all([
    db.$count(users),
    db.$count(chirps),
    db.$count(refreshTokens),
  ]);
  return { users: userCount, chirps: chirpCount, refreshTokens: tokenCount };
}

export async function userRow(id: string): Promise<User | undefined> {
  const db = await getDb();
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}

/** A user gone behind the API's back (an admin, a reset): their tokens must stop working. */
export async function deleteUserRow(id: string): Promise<void> {
  const db = await getDb();
  await db.delete(users).where(eq(users.id, id));
}

export async function refreshTokenRows(userId: string): Promise<RefreshToken[]> {
  const db = await getDb();
  return db.select().from(refreshTokens).where(eq(refreshTokens.userId, userId));
}

/**
 * Runs `work` with the process's database replaced by one that refuses every connection, then
 * puts the real one back. Errors the routes log meanwhile are collected rather than printed.
 */
export async function withDatabaseDown<T>(work: (logged: () => string) => Promise<T>): Promise<T> {
  const down = openNodePostgres('postgres://nobody@127.0.0.1:1/none');
  const previous = swapDatabase(down);
  resetOutageLog();
  const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
  const logged = () => consoleError.mock.calls.map((call) => call.map(String).join(' ')).join('\n');
  try {
    return await work(logged);
  } finally {
    consoleError.mockRestore();
    resetOutageLog();
    swapDatabase(previous);
    await (await down).close();
  }
}

/** The secret the suite runs with (vitest.config.ts), for forging tokens the way an attacker would. */
export function testJwtSecret(): string {
  const secret = process.env.JWT_SECRET;
  if (!secret) throw new Error('JWT_SECRET is not set for the tests');
  return secret;
}

export type JwtClaims = { iss?: string; sub?: string; iat?: number; exp?: number; [claim: string]: unknown };

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A JWT signed with HMAC: by default exactly what Chirpy issues, unless the options say otherwise. */
export function signJwt(claims: JwtClaims, options: { secret?: string; alg?: 'HS256' | 'HS384' | 'HS512' } = {}) {
  const secret = new TextEncoder().encode(options.secret ?? testJwtSecret());
  return new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' }).sign(secret);
}

/** A JWT with `alg: none` and no signature, the classic forgery. */
export function unsignedJwt(claims: JwtClaims): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}

/** Claims of a valid API access token for `userId` in session `sessionId`, issued now. */
export function accessClaims(userId: string, sessionId: string): JwtClaims {
  const iat = nowSeconds();
  return { iss: 'chirpy-access', sub: userId, sid: sessionId, iat, exp: iat + 3600 };
}

/** The error `work` throws, for assertions on its class and message; fails if it throws none. */
export function errorOf(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, none was thrown');
}
