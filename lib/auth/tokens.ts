import 'server-only';
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ACCESS_TOKEN_TTL_SECONDS, getSettings } from '../config';
import { resolveJwtSecrets } from './jwt-secret';

/**
 * Access tokens are HS256 JWTs signed and verified with node:crypto's HMAC rather than with jose:
 * jose goes through WebCrypto, whose jobs cost Node 20 about 85 µs of CPU to sign and 67 µs to
 * verify one token against about 5 µs for createHmac, and every authenticated request verifies
 * one. jose remains the reference the tests hold this code to (tokens.test.ts).
 */

export const ACCESS_TOKEN_ISSUER = 'chirpy-access';
const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * Every token Chirpy has issued carries exactly this header, so the verifier accepts this exact
 * spelling and nothing else instead of interpreting one: no algorithm to confuse (HS384/HS512, or
 * an asymmetric alg given our secret as a "public key"), no `none`, no `crit` extensions such as
 * `b64: false`, no `kid` or `jku` to follow.
 */
const HEADER_SEGMENT = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

type HmacKeys = { current: Uint8Array; all: Uint8Array[] };

// Every request verifies a token, so each secret is encoded once, not per token. Not under the old
// name `chirpySigningKeys`: a development server's globalThis outlives a reload of this module, and
// what it held there was a promise of CryptoKeys.
const keyCache = globalThis as typeof globalThis & {
  chirpyHmacKeys?: { fingerprint: string; keys: HmacKeys };
};

// The bytes tokens were signed with before this module used node:crypto, so they still verify.
function keyBytes(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

function getHmacKeys(): HmacKeys {
  const { current, previous } = resolveJwtSecrets();
  const fingerprint = `${current}\u0000${previous ?? ''}`;
  if (keyCache.chirpyHmacKeys?.fingerprint !== fingerprint) {
    const currentKey = keyBytes(current);
    const all = previous === undefined ? [currentKey] : [currentKey, keyBytes(previous)];
    keyCache.chirpyHmacKeys = { fingerprint, keys: { current: currentKey, all } };
  }
  return keyCache.chirpyHmacKeys.keys;
}

function hs256(key: Uint8Array, signingInput: string): Buffer {
  return createHmac('sha256', key).update(signingInput).digest();
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

// Async although nothing here waits: a missing secret must still reject the promise, not throw.
async function signAccessToken(userId: string, ttlSeconds: number, claims: { sid: string }): Promise<IssuedToken> {
  const { current } = getHmacKeys();
  const issuedAt = Math.floor(Date.now() / 1000);
  const expiresAt = issuedAt + ttlSeconds;
  // The claims in the order jose wrote them, so tokens look as they always have.
  const payload = {
    ...claims,
    iss: ACCESS_TOKEN_ISSUER,
    sub: userId,
    iat: issuedAt,
    // Two tokens issued in the same second would otherwise be identical strings.
    jti: randomUUID(),
    exp: expiresAt,
  };
  const signingInput = `${HEADER_SEGMENT}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const value = `${signingInput}.${hs256(current, signingInput).toString('base64url')}`;
  return { value, expiresAt: new Date(expiresAt * 1000) };
}

const accessClaimsSchema = z.object({
  iss: z.literal(ACCESS_TOKEN_ISSUER),
  sub: z.uuid(),
  iat: z.number(),
  exp: z.number(),
  sid: z.uuid().optional(),
});

export type AccessTokenCheck =
  | { ok: true; userId: string; sessionId: string | null }
  | { ok: false; reason: 'expired' | 'invalid' };

const INVALID: AccessTokenCheck = { ok: false, reason: 'invalid' };
const EXPIRED: AccessTokenCheck = { ok: false, reason: 'expired' };

/** Never throws: any token that is not one of ours, intact and unexpired, is simply not valid. */
export async function verifyAccessToken(token: string): Promise<AccessTokenCheck> {
  const { all } = getHmacKeys();
  const [header, payloadSegment, signatureSegment, ...extra] = token.split('.');
  if (header !== HEADER_SEGMENT || payloadSegment === undefined || signatureSegment === undefined || extra.length > 0) {
    return INVALID;
  }
  const signature = decodeBase64url(signatureSegment);
  if (signature === undefined) return INVALID;
  const signingInput = `${header}.${payloadSegment}`;
  if (!all.some((key) => signatureMatches(key, signingInput, signature))) return INVALID;
  // Only now, with the signature ours, is the payload worth decoding and parsing.
  const payloadBytes = decodeBase64url(payloadSegment);
  const claims = payloadBytes === undefined ? undefined : parseJsonObject(payloadBytes);
  return claims === undefined ? INVALID : checkClaims(claims);
}

function signatureMatches(key: Uint8Array, signingInput: string, signature: Buffer): boolean {
  const expected = hs256(key, signingInput);
  // timingSafeEqual throws on unequal lengths; the length of an HMAC is no secret.
  return signature.length === expected.length && timingSafeEqual(signature, expected);
}

/**
 * Buffer.from(…, 'base64url') skips characters it does not know, takes `+`, `/` and `=` too and
 * drops stray trailing bits, so one token could be spelled many ways. Encoding the bytes back must
 * give the segment again: that admits only unpadded base64url, and only the one spelling we write.
 */
function decodeBase64url(segment: string): Buffer | undefined {
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}

// Fatal, as jose's is: a payload that is not UTF-8 is refused, not repaired with U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseJsonObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch {
    return undefined;
  }
  return isJsonObject(value) ? value : undefined;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * jose's checks in jose's order, since the order decides 'expired' against 'invalid': a token that
 * is expired and also wrong in any of the checks before `exp` is invalid, one wrong only in the
 * schema or `iat` after it is expired. Then the schema, and `iat`, which jose never checked: we
 * never issue a token dated ahead of our clock (beyond the skew between instances), so one that is
 * was not made by us as we make them.
 */
function checkClaims(claims: Record<string, unknown>): AccessTokenCheck {
  const { iss, sub, iat, nbf, exp } = claims;
  if (iss === undefined || sub === undefined || iat === undefined || exp === undefined) return INVALID;
  if (iss !== ACCESS_TOKEN_ISSUER || typeof iat !== 'number') return INVALID;
  const now = Math.floor(Date.now() / 1000);
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + CLOCK_TOLERANCE_SECONDS)) return INVALID;
  if (typeof exp !== 'number') return INVALID;
  if (exp <= now - CLOCK_TOLERANCE_SECONDS) return EXPIRED;
  const parsed = accessClaimsSchema.safeParse(claims);
  if (!parsed.success || issuedInTheFuture(parsed.data.iat)) return INVALID;
  return { ok: true, userId: parsed.data.sub, sessionId: parsed.data.sid ?? null };
}

function issuedInTheFuture(issuedAt: number): boolean {
  return issuedAt > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS;
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
