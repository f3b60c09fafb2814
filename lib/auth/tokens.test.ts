import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { CompactSign, decodeJwt, decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { accessClaims, nowSeconds, signJwt, testJwtSecret, unsignedJwt } from '@/test/fixtures';
import { UUID } from '@/test/http';
import {
  ACCESS_TOKEN_ISSUER,
  type AccessTokenCheck,
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
  vi.useRealTimers();
});

const OTHER_SECRET = 'a-different-secret-of-at-least-32-characters';

function keyOf(secret = testJwtSecret()): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** Correctly signed with HS256 and the suite's secret, whatever the payload bytes and the header (ours by default). */
function signBytes(
  payload: string | Uint8Array,
  header: { alg: string; [parameter: string]: unknown } = { alg: 'HS256', typ: 'JWT' },
) {
  const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  return new CompactSign(bytes).setProtectedHeader(header).sign(keyOf());
}

function segmentsOf(token: string): { header: string; payload: string; signature: string } {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return { header, payload, signature };
}

/** A valid token of ours, with its signature segment rewritten. */
async function withSignature(rewrite: (signature: string) => string): Promise<string> {
  const { header, payload, signature } = segmentsOf((await issueAccessToken(randomUUID(), randomUUID())).value);
  return `${header}.${payload}.${rewrite(signature)}`;
}

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * 43 characters carry 258 bits for 256: flipping the lowest bit of the last character spells the
 * same signature bytes differently, which a lenient decoder accepts.
 */
function respelledSignature(signature: string): string {
  const last = BASE64URL_ALPHABET.indexOf(signature.slice(-1));
  const respelled = `${signature.slice(0, -1)}${BASE64URL_ALPHABET.charAt(last ^ 1)}`;
  expect(Buffer.from(respelled, 'base64url')).toStrictEqual(Buffer.from(signature, 'base64url'));
  return respelled;
}

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
    [
      'whose payload was changed (another user) after signing',
      async () => {
        const { header, payload, signature } = segmentsOf((await issueAccessToken(randomUUID(), randomUUID())).value);
        const claims = z
          .record(z.string(), z.unknown())
          .parse(JSON.parse(Buffer.from(payload, 'base64url').toString()));
        const forged = Buffer.from(JSON.stringify({ ...claims, sub: randomUUID() })).toString('base64url');
        return `${header}.${forged}.${signature}`;
      },
    ],
    ['whose signature was changed', () => withSignature((s) => `${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`)],
    ['whose signature is padded with =', () => withSignature((s) => `${s}=`)],
    ['whose signature is spelled differently for the same bytes', () => withSignature(respelledSignature)],
    ['whose signature uses the base64 alphabet (+ and /)', () => withSignature((s) => `${s.slice(0, -1)}+`)],
    [
      'without its signature (two segments)',
      async () => (await issueAccessToken(randomUUID(), randomUUID())).value.replace(/\.[^.]*$/, ''),
    ],
    ['with a fourth segment', async () => `${(await issueAccessToken(randomUUID(), randomUUID())).value}.`],
    [
      'whose header has an extra parameter (kid)',
      () => signBytes(JSON.stringify(accessClaims(randomUUID())), { alg: 'HS256', typ: 'JWT', kid: 'chirpy' }),
    ],
    [
      'whose header is spelled differently (typ first)',
      () => signBytes(JSON.stringify(accessClaims(randomUUID())), { typ: 'JWT', alg: 'HS256' }),
    ],
    ['whose header has no typ', () => signBytes(JSON.stringify(accessClaims(randomUUID())), { alg: 'HS256' })],
    [
      'whose header names critical extensions',
      () =>
        signBytes(JSON.stringify(accessClaims(randomUUID())), { alg: 'HS256', typ: 'JWT', crit: ['b64'], b64: true }),
    ],
    ['whose payload is a JSON array', () => signBytes(JSON.stringify([accessClaims(randomUUID())]))],
    ['whose payload is a JSON string', () => signBytes(JSON.stringify('chirpy-access'))],
    ['whose payload is JSON null', () => signBytes('null')],
    ['whose payload is not JSON', () => signBytes('chirpy')],
    [
      'whose payload is not UTF-8',
      () => {
        const json = new TextEncoder().encode(JSON.stringify({ ...accessClaims(randomUUID()), name: '?' }));
        json[json.lastIndexOf(0x3f)] = 0xff;
        return signBytes(json);
      },
    ],
    [
      'whose iat is not a number',
      () => signBytes(JSON.stringify({ ...accessClaims(randomUUID()), iat: `${nowSeconds()}` })),
    ],
    [
      'whose exp is not a number',
      () => signBytes(JSON.stringify({ ...accessClaims(randomUUID()), exp: `${nowSeconds() + 60}` })),
    ],
    ['whose nbf is not a number', () => signJwt({ ...accessClaims(randomUUID()), nbf: 'now' })],
  ])('refuses a token %s as invalid, without throwing', async (_label, make) => {
    expect(await verifyAccessToken(await make())).toStrictEqual({ ok: false, reason: 'invalid' });
  });

  it('accepts tokens forged exactly like its own (the refusals above are for the reason they name)', async () => {
    const userId = randomUUID();

    expect(await verifyAccessToken(await signJwt(accessClaims(userId)))).toMatchObject({ ok: true, userId });
    expect(await verifyAccessToken(await signBytes(JSON.stringify(accessClaims(userId))))).toMatchObject({ ok: true });
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

  it('accepts a token expired less than the clock tolerance (5 s) ago, and not one expired 5 s ago', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const claims = accessClaims(randomUUID());

    expect(await verifyAccessToken(await signJwt({ ...claims, exp: nowSeconds() - 4 }))).toMatchObject({ ok: true });
    expect(await verifyAccessToken(await signJwt({ ...claims, exp: nowSeconds() - 5 }))).toStrictEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('reports a token both expired and not one of ours as invalid, not as expired', async () => {
    const expired = { ...accessClaims(randomUUID()), iat: nowSeconds() - 7200, exp: nowSeconds() - 60 };

    expect(await verifyAccessToken(await signJwt({ ...expired, iss: 'someone-else' }))).toStrictEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(await verifyAccessToken(await signJwt(expired, { secret: OTHER_SECRET }))).toStrictEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('encodes each secret into HMAC key bytes once, not on every token, and uses no WebCrypto', async () => {
    vi.stubEnv('JWT_SECRET', `fresh-secret-${randomUUID()}`);
    const encode = vi.spyOn(TextEncoder.prototype, 'encode');
    const webCrypto = [
      vi.spyOn(crypto.subtle, 'importKey'),
      vi.spyOn(crypto.subtle, 'sign'),
      vi.spyOn(crypto.subtle, 'verify'),
    ];
    const userId = randomUUID();

    for (let i = 0; i < 3; i++) {
      expect(await verifyAccessToken((await issueAccessToken(userId, randomUUID())).value)).toMatchObject({ ok: true });
    }
    expect(encode).toHaveBeenCalledTimes(1);

    vi.stubEnv('JWT_SECRET', `another-fresh-secret-${randomUUID()}`);
    expect(await verifyAccessToken((await issueAccessToken(userId, randomUUID())).value)).toMatchObject({ ok: true });
    expect(encode).toHaveBeenCalledTimes(2);
    for (const spy of webCrypto) expect(spy).not.toHaveBeenCalled();
  });
});

/**
 * jose signed and verified these tokens before node:crypto did, and stays as the reference: tokens
 * must pass between the two both ways, and on any claims the verdict must be the one the jose
 * implementation gave.
 */
describe('interoperability with jose', () => {
  it('issues tokens that jose verifies with the same secret and issuer', async () => {
    const userId = randomUUID();
    const sessionId = randomUUID();

    for (const token of [await issueAccessToken(userId, sessionId), await issueSessionAccessToken(userId, sessionId)]) {
      const { payload, protectedHeader } = await jwtVerify(token.value, keyOf(), {
        algorithms: ['HS256'],
        issuer: ACCESS_TOKEN_ISSUER,
        requiredClaims: ['sub', 'iat', 'exp', 'jti'],
      });
      expect(protectedHeader).toStrictEqual({ alg: 'HS256', typ: 'JWT' });
      expect(payload).toStrictEqual({
        iss: ACCESS_TOKEN_ISSUER,
        sub: userId,
        sid: sessionId,
        iat: expect.any(Number),
        exp: token.expiresAt.getTime() / 1000,
        jti: expect.stringMatching(UUID),
      });
    }
  });

  it('accepts the tokens jose issued for it (the header and claims it always wrote)', async () => {
    const userId = randomUUID();
    const sessionId = randomUUID();
    const issuedAt = nowSeconds();
    const token = await new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setSubject(userId)
      .setIssuedAt(issuedAt)
      .setJti(randomUUID())
      .setExpirationTime(issuedAt + 300)
      .sign(keyOf());

    expect(await verifyAccessToken(token)).toStrictEqual({ ok: true, userId, sessionId });
  });

  it('gives the same verdict as the jose implementation on any claims', async () => {
    const now = nowSeconds();
    vi.useFakeTimers({ toFake: ['Date'], now: now * 1000 + 500 });
    // Mostly good values, so that all three verdicts come up; `undefined` leaves the claim out.
    const mostly = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) =>
      fc.oneof({ arbitrary: good, weight: 3 }, { arbitrary: bad, weight: 1 });
    const time = mostly(
      fc.constantFrom(-7200, -6, -5, -4.5, -4, -1, 0, 0.5, 1, 4, 5, 6, 3600).map((offset) => now + offset),
      fc.constantFrom(undefined, null, true, `${now}`),
    );
    const claims = fc.record({
      iss: mostly(fc.constant(ACCESS_TOKEN_ISSUER), fc.constantFrom(undefined, 'someone-else', '', null, 1)),
      sub: mostly(fc.constant(randomUUID()), fc.constantFrom(undefined, 'root', '', null, 7)),
      iat: time,
      exp: time,
      nbf: mostly(fc.constant(undefined), time),
      sid: mostly(fc.constantFrom(undefined, randomUUID()), fc.constantFrom('admin', null)),
      jti: mostly(fc.constantFrom(undefined, randomUUID()), fc.constant(3)),
      aud: fc.constantFrom(undefined, 'somewhere', ['a', 'b']),
    });
    const verdicts = new Set<string>();

    await fc.assert(
      fc.asyncProperty(claims, async (payload) => {
        const token = await signBytes(JSON.stringify(payload));
        const verdict = await verifyAccessToken(token);
        expect(verdict).toStrictEqual(await joseVerdict(token));
        verdicts.add(verdict.ok ? 'ok' : verdict.reason);
      }),
      { numRuns: 300 },
    );
    expect([...verdicts].sort()).toStrictEqual(['expired', 'invalid', 'ok']);
  });

  it.each([
    [
      'an exp too large for a double',
      (iat: number) => `{"iss":"${ACCESS_TOKEN_ISSUER}","sub":"${randomUUID()}","iat":${iat},"exp":1e400}`,
    ],
    [
      'a claim given twice',
      (iat: number) =>
        `{"iss":"x","sub":"${randomUUID()}","iat":${iat},"exp":${iat + 60},"iss":"${ACCESS_TOKEN_ISSUER}"}`,
    ],
    [
      'a __proto__ claim',
      (iat: number) =>
        `{"__proto__":{"exp":1},"iss":"${ACCESS_TOKEN_ISSUER}","sub":"${randomUUID()}","iat":${iat},"exp":${iat + 60}}`,
    ],
    [
      'an expired token whose subject is not a UUID',
      (iat: number) => `{"iss":"${ACCESS_TOKEN_ISSUER}","sub":"root","iat":${iat - 7200},"exp":${iat - 3600}}`,
    ],
    [
      'an expired token issued in the future',
      (iat: number) =>
        `{"iss":"${ACCESS_TOKEN_ISSUER}","sub":"${randomUUID()}","iat":${iat + 7200},"exp":${iat - 3600}}`,
    ],
  ])('gives the same verdict as the jose implementation on %s', async (_label, json) => {
    const token = await signBytes(json(nowSeconds()));

    expect(await verifyAccessToken(token)).toStrictEqual(await joseVerdict(token));
  });
});

/** The verifier as it was with jose, kept word for word as the reference the new one must match. */
async function joseVerdict(token: string): Promise<AccessTokenCheck> {
  const schema = z.object({
    iss: z.literal(ACCESS_TOKEN_ISSUER),
    sub: z.uuid(),
    iat: z.number(),
    exp: z.number(),
    sid: z.uuid().optional(),
  });
  try {
    const { payload } = await jwtVerify(token, keyOf(), {
      algorithms: ['HS256'],
      issuer: ACCESS_TOKEN_ISSUER,
      requiredClaims: ['sub', 'iat', 'exp'],
      clockTolerance: 5,
    });
    const claims = schema.safeParse(payload);
    if (!claims.success || claims.data.iat > Date.now() / 1000 + 5) return { ok: false, reason: 'invalid' };
    return { ok: true, userId: claims.data.sub, sessionId: claims.data.sid ?? null };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
    if (error instanceof errors.JOSEError) return { ok: false, reason: 'invalid' };
    throw error;
  }
}

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
