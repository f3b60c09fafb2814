import { randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { accessClaims, nowSeconds, signJwt, unsignedJwt } from '@/test/fixtures';
import { UUID } from '@/test/http';
import {
  ACCESS_TOKEN_ISSUER,
  createRefreshTokenValue,
  hashRefreshToken,
  isRefreshTokenFormat,
  issueAccessToken,
  issueSessionAccessToken,
  verifyAccessToken,
} from './tokens';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const OTHER_SECRET = 'a-different-secret-of-at-least-32-characters';

describe('issueAccessToken', () => {
  it('signs an HS256 JWT with iss chirpy-access, sub the user id, sid its session, and exp one hour after iat', async () => {
    const userId = randomUUID();
    const sessionId = randomUUID();
    const before = nowSeconds();

    const token = await issueAccessToken(userId, sessionId);

    expect(decodeProtectedHeader(token.value)).toStrictEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = decodeJwt(token.value);
    expect(claims).toStrictEqual({
      iss: ACCESS_TOKEN_ISSUER,
      sub: userId,
      sid: sessionId,
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.stringMatching(UUID),
    });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.exp).toBe((claims.iat ?? 0) + 3600);
    expect(token.expiresAt.getTime()).toBe((claims.exp ?? 0) * 1000);
  });

  it('never issues the same token twice, even within one second', async () => {
    const userId = randomUUID();
    const sessionId = randomUUID();
    const [first, second] = await Promise.all([
      issueAccessToken(userId, sessionId),
      issueAccessToken(userId, sessionId),
    ]);
    expect(first.value).not.toBe(second.value);
  });
});

describe('verifyAccessToken', () => {
  it('accepts its own API tokens, naming the user and the session', async () => {
    const userId = randomUUID();
    const sessionId = randomUUID();

    expect(await verifyAccessToken((await issueAccessToken(userId, sessionId)).value)).toStrictEqual({
      ok: true,
      userId,
      sessionId,
    });
  });

  it('accepts a token from before sessions were named (no sid), naming no session', async () => {
    const userId = randomUUID();

    expect(await verifyAccessToken(await signJwt(accessClaims(userId)))).toStrictEqual({
      ok: true,
      userId,
      sessionId: null,
    });
  });

  it('names the session of a browser session token', async () => {
    const userId = randomUUID();
    const sessionId = randomUUID();

    expect(await verifyAccessToken((await issueSessionAccessToken(userId, sessionId)).value)).toStrictEqual({
      ok: true,
      userId,
      sessionId,
    });
  });

  it('reports an expired token as expired', async () => {
    const token = await signJwt({ ...accessClaims(randomUUID()), iat: nowSeconds() - 7200, exp: nowSeconds() - 60 });

    expect(await verifyAccessToken(token)).toStrictEqual({ ok: false, reason: 'expired' });
  });

  it.each([
    ['signed with another secret', () => signJwt(accessClaims(randomUUID()), { secret: OTHER_SECRET })],
    ['with alg none', () => unsignedJwt(accessClaims(randomUUID()))],
    ['signed with HS384', () => signJwt(accessClaims(randomUUID()), { alg: 'HS384' })],
    ['signed with HS512', () => signJwt(accessClaims(randomUUID()), { alg: 'HS512' })],
    ['from another issuer', () => signJwt({ ...accessClaims(randomUUID()), iss: 'someone-else' })],
    ['without an issuer', () => signJwt({ ...accessClaims(randomUUID()), iss: undefined })],
    ['without a subject', () => signJwt({ ...accessClaims(randomUUID()), sub: undefined })],
    ['whose subject is not a UUID', () => signJwt(accessClaims('root'))],
    ['without an expiry', () => signJwt({ ...accessClaims(randomUUID()), exp: undefined })],
    ['without iat', () => signJwt({ ...accessClaims(randomUUID()), iat: undefined })],
    ['with a session id that is not a UUID', () => signJwt({ ...accessClaims(randomUUID()), sid: 'admin' })],
    [
      'issued in the future (iat past the clock tolerance)',
      () => signJwt({ ...accessClaims(randomUUID()), iat: nowSeconds() + 3600, exp: nowSeconds() + 7200 }),
    ],
    ['not valid yet (nbf in the future)', () => signJwt({ ...accessClaims(randomUUID()), nbf: nowSeconds() + 3600 })],
    ['that is not a JWT at all', () => 'not.a.jwt'],
    ['that is a refresh token', () => createRefreshTokenValue()],
    ['that is empty', () => ''],
  ])('refuses a token %s as invalid, without throwing', async (_label, make) => {
    expect(await verifyAccessToken(await make())).toStrictEqual({ ok: false, reason: 'invalid' });
  });

  it('accepts tokens forged exactly like its own (the refusals above are for the reason they name)', async () => {
    const userId = randomUUID();

    expect(await verifyAccessToken(await signJwt(accessClaims(userId)))).toMatchObject({ ok: true, userId });
  });

  it('accepts a token issued a little ahead of its own clock (another instance’s clock may run ahead)', async () => {
    const claims = { ...accessClaims(randomUUID()), iat: nowSeconds() + 3 };
    expect(await verifyAccessToken(await signJwt(claims))).toMatchObject({ ok: true });
  });

  it('still accepts tokens of JWT_SECRET_PREVIOUS after a rotation, and signs only with the new secret', async () => {
    const userId = randomUUID();
    const oldSecret = process.env.JWT_SECRET ?? '';
    const issuedBefore = (await issueAccessToken(userId, randomUUID())).value;
    vi.stubEnv('JWT_SECRET', OTHER_SECRET);
    vi.stubEnv('JWT_SECRET_PREVIOUS', oldSecret);

    expect(await verifyAccessToken(issuedBefore)).toMatchObject({ ok: true, userId });
    const issuedAfter = (await issueAccessToken(userId, randomUUID())).value;
    await expect(jwtVerify(issuedAfter, new TextEncoder().encode(OTHER_SECRET))).resolves.toMatchObject({
      payload: { sub: userId },
    });

    vi.stubEnv('JWT_SECRET_PREVIOUS', undefined);
    expect(await verifyAccessToken(issuedBefore)).toStrictEqual({ ok: false, reason: 'invalid' });
  });

  it('imports the HMAC key once, not on every token', async () => {
    vi.stubEnv('JWT_SECRET', `fresh-secret-${randomUUID()}`);
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    const userId = randomUUID();

    for (let i = 0; i < 3; i++) {
      expect(await verifyAccessToken((await issueAccessToken(userId, randomUUID())).value)).toMatchObject({ ok: true });
    }

    expect(importKey).toHaveBeenCalledTimes(1);
  });
});

describe('refresh token values', () => {
  it('are 64 lower-case hex characters (32 random bytes), different every time', () => {
    const values = new Set(Array.from({ length: 100 }, () => createRefreshTokenValue()));

    expect(values.size).toBe(100);
    for (const value of values) expect(value).toMatch(/^[0-9a-f]{64}$/);
  });

  it('are recognised by their format, and a JWT is not', async () => {
    expect(isRefreshTokenFormat(createRefreshTokenValue())).toBe(true);
    expect(isRefreshTokenFormat((await issueAccessToken(randomUUID(), randomUUID())).value)).toBe(false);
    expect(isRefreshTokenFormat('A'.repeat(64))).toBe(false);
    expect(isRefreshTokenFormat('a'.repeat(63))).toBe(false);
    expect(isRefreshTokenFormat(`${'a'.repeat(64)}\n`)).toBe(false);
  });

  it('are stored as their SHA-256 in hex', () => {
    expect(hashRefreshToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const value = createRefreshTokenValue();
    expect(hashRefreshToken(value)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRefreshToken(value)).not.toBe(value);
  });
});
