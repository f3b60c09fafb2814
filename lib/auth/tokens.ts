import 'server-only';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { ACCESS_TOKEN_TTL_SECONDS, getSettings } from '../config';
import { resolveJwtSecrets } from './jwt-secret';

export const ACCESS_TOKEN_ISSUER = 'chirpy-access';
const CLOCK_TOLERANCE_SECONDS = 5;

type SigningKeys = { current: CryptoKey; all: CryptoKey[] };

// Importing an HMAC key costs more than verifying with it, so import once per secret value.
const keyCache = globalThis as typeof globalThis & {
  chirpySigningKeys?: { fingerprint: string; keys: Promise<SigningKeys> };
};

function importHmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
}

async function importKeys(current: string, previous: string | undefined): Promise<SigningKeys> {
  const currentKey = await importHmacKey(current);
  const all = previous === undefined ? [currentKey] : [currentKey, await importHmacKey(previous)];
  return { current: currentKey, all };
}

function getSigningKeys(): Promise<SigningKeys> {
  const { current, previous } = resolveJwtSecrets();
  const fingerprint = `${current}\u0000${previous ?? ''}`;
  if (keyCache.chirpySigningKeys?.fingerprint !== fingerprint) {
    keyCache.chirpySigningKeys = { fingerprint, keys: importKeys(current, previous) };
  }
  return keyCache.chirpySigningKeys.keys;
}

export type IssuedToken = { value: string; expiresAt: Date };

/**
 * Access tokens name their session (`sid`), so that every request can check the session is still
 * alive before trusting the token: ending a session takes effect at once, not at the token's expiry.
 */

/** The API contract's access token: one hour. */
export function issueAccessToken(userId: string, sessionId: string): Promise<IssuedToken> {
  return signAccessToken(userId, ACCESS_TOKEN_TTL_SECONDS, { sid: sessionId });
}

/** A browser session's access token (the access cookie): short-lived, renewed by the proxy. */
export function issueSessionAccessToken(userId: string, sessionId: string): Promise<IssuedToken> {
  return signAccessToken(userId, getSettings().SESSION_ACCESS_TTL_SECONDS, { sid: sessionId });
}

async function signAccessToken(userId: string, ttlSeconds: number, claims: { sid: string }): Promise<IssuedToken> {
  const { current } = await getSigningKeys();
  const issuedAt = Math.floor(Date.now() / 1000);
  const expiresAt = issuedAt + ttlSeconds;
  const value = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ACCESS_TOKEN_ISSUER)
    .setSubject(userId)
    .setIssuedAt(issuedAt)
    // Two tokens issued in the same second would otherwise be identical strings.
    .setJti(randomUUID())
    .setExpirationTime(expiresAt)
    .sign(current);
  return { value, expiresAt: new Date(expiresAt * 1000) };
}

const accessClaimsSchema = z.object({
  iss: z.literal(ACCESS_TOKEN_ISSUER),
  sub: z.uuid(),
  iat: z.number(),
  exp: z.number(),
  sid: z.uuid().optional(),
});

/**
 * jose checks `exp` and `nbf` but not that `iat` has passed. We never issue a token dated ahead of
 * our clock (beyond the skew between instances), so one that is was not made by us as we make them.
 */
function issuedInTheFuture(issuedAt: number): boolean {
  return issuedAt > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS;
}

export type AccessTokenCheck =
  | { ok: true; userId: string; sessionId: string | null }
  | { ok: false; reason: 'expired' | 'invalid' };

/** Never throws: any token that is not one of ours, intact and unexpired, is simply not valid. */
export async function verifyAccessToken(token: string): Promise<AccessTokenCheck> {
  const { all } = await getSigningKeys();
  for (const key of all) {
    const check = await verifyWithKey(token, key);
    if (check.ok || check.reason === 'expired') return check;
  }
  return { ok: false, reason: 'invalid' };
}

async function verifyWithKey(token: string, key: CryptoKey): Promise<AccessTokenCheck> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      issuer: ACCESS_TOKEN_ISSUER,
      requiredClaims: ['sub', 'iat', 'exp'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    const claims = accessClaimsSchema.safeParse(payload);
    if (!claims.success || issuedInTheFuture(claims.data.iat)) return { ok: false, reason: 'invalid' };
    return { ok: true, userId: claims.data.sub, sessionId: claims.data.sid ?? null };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
    if (error instanceof errors.JOSEError) return { ok: false, reason: 'invalid' };
    throw error;
  }
}

/** 32 random bytes as 64 hex characters: opaque, and never a JWT, so never mistaken for one. */
export function createRefreshTokenValue(): string {
  return randomBytes(32).toString('hex');
}

const REFRESH_TOKEN_FORMAT = /^[0-9a-f]{64}$/;

export function isRefreshTokenFormat(value: string): boolean {
  return REFRESH_TOKEN_FORMAT.test(value);
}

/** What the database keeps instead of the token. Lookups are by this hash, so no comparison leaks timing. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
