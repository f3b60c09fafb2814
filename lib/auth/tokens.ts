import 'server-only';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { errors, type JWTHeaderParameters, type JWTPayload, type JWTVerifyOptions, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { ACCESS_TOKEN_TTL_SECONDS, getSettings } from '../config';
import { resolveJwtSecrets } from './jwt-secret';

export const ACCESS_TOKEN_ISSUER = 'chirpy-access';
const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * The header every token Chirpy has issued carries, and the only one the verifier accepts: no
 * algorithm to confuse (HS384/HS512, or an asymmetric alg given our secret as a "public key"), no
 * `none`, no `crit` extensions (jose itself would honour `b64`), no `kid`, `jku` or `jwk` to follow.
 */
const TOKEN_HEADER = { alg: 'HS256', typ: 'JWT' } as const;

/**
 * The two kinds of access token, named after the sessions they belong to: the API contract's
 * (`Authorization: Bearer`) and a browser session's (the access cookie). Each has its own lifetime,
 * and whoever reads a token knows its kind from where it found it.
 */
export type AccessTokenKind = 'bearer' | 'browser';

function lifetimeSeconds(kind: AccessTokenKind): number {
  return kind === 'bearer' ? ACCESS_TOKEN_TTL_SECONDS : getSettings().SESSION_ACCESS_TTL_SECONDS;
}

type SigningKeys = { current: CryptoKey; all: CryptoKey[] };

// Every request verifies a token, and jose given a secret's bytes imports them as a key on every
// call: so each secret is imported once and its CryptoKey reused. The cache lives on globalThis so
// a development server's module reloads reuse it too, under a name of its own: that globalThis
// outlives the reload, and whatever another version of this module kept there had another shape.
const keyCache = globalThis as typeof globalThis & {
  chirpyAccessTokenKeys?: { fingerprint: string; keys: Promise<SigningKeys> };
};

function importHmacKey(secret: string): Promise<CryptoKey> {
  const bytes = new TextEncoder().encode(secret);
  return crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

async function importSigningKeys(current: string, previous: string | undefined): Promise<SigningKeys> {
  const currentKey = await importHmacKey(current);
  return {
    current: currentKey,
    all: previous === undefined ? [currentKey] : [currentKey, await importHmacKey(previous)],
  };
}

function getSigningKeys(): Promise<SigningKeys> {
  const { current, previous } = resolveJwtSecrets();
  const fingerprint = `${current}\u0000${previous ?? ''}`;
  if (keyCache.chirpyAccessTokenKeys?.fingerprint !== fingerprint) {
    keyCache.chirpyAccessTokenKeys = { fingerprint, keys: importSigningKeys(current, previous) };
  }
  return keyCache.chirpyAccessTokenKeys.keys;
}

export type IssuedToken = { value: string; expiresAt: Date };

/**
 * Access tokens name their session (`sid`), so that every request can check the session is still
 * alive before trusting the token: ending a session takes effect at once, not at the token's expiry.
 */

/** The API contract's access token: one hour. */
export function issueAccessToken(userId: string, sessionId: string): Promise<IssuedToken> {
  return signAccessToken(userId, sessionId, lifetimeSeconds('bearer'));
}

/** A browser session's access token (the access cookie): short-lived, renewed by the proxy. */
export function issueSessionAccessToken(userId: string, sessionId: string): Promise<IssuedToken> {
  return signAccessToken(userId, sessionId, lifetimeSeconds('browser'));
}

async function signAccessToken(userId: string, sessionId: string, lifetime: number): Promise<IssuedToken> {
  const { current } = await getSigningKeys();
  const issuedAt = Math.floor(Date.now() / 1000);
  const expiresAt = issuedAt + lifetime;
  const value = await new SignJWT({ sid: sessionId })
    .setProtectedHeader(TOKEN_HEADER)
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
  sub: z.uuid(),
  sid: z.uuid(),
  iat: z.number(),
  exp: z.number(),
});

export type AccessTokenCheck =
  | { ok: true; userId: string; sessionId: string }
  | { ok: false; reason: 'expired' | 'invalid' };

const INVALID: Extract<AccessTokenCheck, { ok: false }> = { ok: false, reason: 'invalid' };
// What jose accepted, with the times that bound how long that verdict holds.
type TimedCheck =
  | (Extract<AccessTokenCheck, { ok: true }> & { iat: number; exp: number })
  | Extract<AccessTokenCheck, { ok: false }>;
const EXPIRED: Extract<AccessTokenCheck, { ok: false }> = { ok: false, reason: 'expired' };

/**
 * What a token must be, besides signed with one of our secrets: jose checks it all but the
 * header's exact shape (checkHeader) and the claims' types (accessClaimsSchema). `maxTokenAge`
 * refuses a token older than its kind's lifetime whatever its `exp` says, and one dated ahead of
 * our clock (beyond the skew between instances): we issue neither.
 */
function verifyOptions(kind: AccessTokenKind): JWTVerifyOptions {
  return {
    algorithms: [TOKEN_HEADER.alg],
    typ: TOKEN_HEADER.typ,
    issuer: ACCESS_TOKEN_ISSUER,
    requiredClaims: ['sub', 'sid', 'iat', 'exp'],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    maxTokenAge: lifetimeSeconds(kind),
  };
}

/**
 * Never throws for a token: any token that is not one of ours, intact and within its kind's
 * lifetime, is simply not valid ('expired' when it is ours but too old). A missing secret still
 * rejects: that is the server's fault, not the token's.
 */
export async function verifyAccessToken(token: string, kind: AccessTokenKind): Promise<AccessTokenCheck> {
  const { all } = await getSigningKeys();
  const options = verifyOptions(kind);
  const memoKey = `${kind}\u0000${options.maxTokenAge}\u0000${token}`;
  const remembered = recallVerified(memoKey);
  if (remembered) return remembered;
  for (const key of all) {
    const verdict = await verifyWithKey(token, key, options);
    if (verdict === WRONG_KEY) continue;
    if (!verdict.ok) return verdict;
    const { iat, exp, ...accepted } = verdict;
    rememberVerified(memoKey, accepted, {
      fromSeconds: iat - CLOCK_TOLERANCE_SECONDS,
      untilSeconds: Math.min(exp, iat + lifetimeSeconds(kind)) + CLOCK_TOLERANCE_SECONDS,
    });
    return accepted;
  }
  return INVALID;
}

/**
 * A browser sends the same access cookie, and an API client the same access token, with every
 * request of its lifetime: the verdict on those exact bytes cannot change until the token runs
 * out, so a token jose has accepted is remembered until then instead of verified again. Only
 * accepted tokens are kept (nobody without our secret can add one), under the secrets in force
 * (a change of secret forgets them all), and the oldest go first past a bound. The session the
 * token names is still checked on every request, elsewhere.
 */
const VERIFIED_MEMO_SIZE = 10_000;
type RememberedToken = { check: AccessTokenCheck } & AcceptedWhile;
// The span of time in which jose accepts the token: from its `iat` (a token dated ahead of the
// clock is refused) to its `exp`, or its kind's lifetime after `iat`, with the clock tolerance.
type AcceptedWhile = { fromSeconds: number; untilSeconds: number };
const verifiedMemo: { fingerprint: unknown; tokens: Map<string, RememberedToken> } = {
  fingerprint: undefined,
  tokens: new Map(),
};

function currentMemo(): Map<string, RememberedToken> {
  const fingerprint = keyCache.chirpyAccessTokenKeys;
  if (verifiedMemo.fingerprint !== fingerprint) {
    verifiedMemo.fingerprint = fingerprint;
    verifiedMemo.tokens.clear();
  }
  return verifiedMemo.tokens;
}

function recallVerified(memoKey: string): AccessTokenCheck | undefined {
  const tokens = currentMemo();
  const entry = tokens.get(memoKey);
  if (entry === undefined) return undefined;
  // Outside that span it is verified afresh, and so refused for the reason jose gives.
  const now = Date.now() / 1000;
  if (now >= entry.fromSeconds && now < entry.untilSeconds) return entry.check;
  tokens.delete(memoKey);
  return undefined;
}

function rememberVerified(memoKey: string, check: AccessTokenCheck, span: AcceptedWhile): void {
  const tokens = currentMemo();
  if (tokens.size >= VERIFIED_MEMO_SIZE) {
    const oldest = tokens.keys().next();
    if (!oldest.done) tokens.delete(oldest.value);
  }
  tokens.set(memoKey, { check, ...span });
}

// The signature is not this key's: the next secret may still have signed it.
const WRONG_KEY = Symbol('wrong key');

async function verifyWithKey(
  token: string,
  key: CryptoKey,
  options: JWTVerifyOptions,
): Promise<TimedCheck | typeof WRONG_KEY> {
  try {
    // jose asks for the key once it has read the header, before it checks the signature.
    const { payload } = await jwtVerify(token, (header) => checkHeader(header, key), options);
    return checkClaims(payload);
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) return WRONG_KEY;
    if (error instanceof errors.JWTExpired) return expiredVerdict(error.payload);
    if (error instanceof errors.JOSEError) return INVALID;
    throw error;
  }
}

// Expired says "renew, or sign in again"; only a token of ours, as we make them, deserves it.
function expiredVerdict(claims: JWTPayload): TimedCheck {
  return accessClaimsSchema.safeParse(claims).success ? EXPIRED : INVALID;
}

function checkHeader(header: JWTHeaderParameters, key: CryptoKey): CryptoKey {
  const exact = Object.keys(header).length === 2 && header.alg === TOKEN_HEADER.alg && header.typ === TOKEN_HEADER.typ;
  if (!exact) throw new errors.JWSInvalid('not the header Chirpy issues');
  return key;
}

function checkClaims(payload: JWTPayload): TimedCheck {
  const claims = accessClaimsSchema.safeParse(payload);
  if (!claims.success) return INVALID;
  const { sub, sid, iat, exp } = claims.data;
  return { ok: true, userId: sub, sessionId: sid, iat, exp };
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
