import { createHmac, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { CompactSign, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { accessClaims, type JwtClaims, nowSeconds, signJwt, testJwtSecret, unsignedJwt } from '@/test/fixtures';
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
  vi.useRealTimers();
});

const OTHER_SECRET = 'a-different-secret-of-at-least-32-characters';
const API_LIFETIME_SECONDS = 3600;
const TOLERANCE_SECONDS = 5;

function keyOf(secret = testJwtSecret()): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** Claims of a valid API token for a fresh user and session. */
function someClaims(): JwtClaims {
  return accessClaims(randomUUID(), randomUUID());
}

/** Correctly signed with HS256 and the suite's secret, whatever the payload bytes and the header (ours by default). */
function signBytes(
  payload: string | Uint8Array,
  header: { alg: string; [parameter: string]: unknown } = { alg: 'HS256', typ: 'JWT' },
) {
  const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  return new CompactSign(bytes).setProtectedHeader(header).sign(keyOf());
}

const base64url = (text: string) => Buffer.from(text).toString('base64url');

/**
 * A token assembled by hand: these header and payload spellings, and an HMAC-SHA256 of them with
 * the secret, whatever `alg` the header claims. Tokens were made exactly this way before jose
 * signed them, and it is how an attacker labels an HMAC "RS256" to confuse a verifier.
 */
function handSigned(headerJson: string, payloadJson: string, secret = testJwtSecret()): string {
  const signingInput = `${base64url(headerJson)}.${base64url(payloadJson)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
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
    expect(claims.exp).toBe((claims.iat ?? 0) + API_LIFETIME_SECONDS);
    expect(token.expiresAt.getTime()).toBe((claims.exp ?? 0) * 1000);
  });

  it('signs a browser session token for SESSION_ACCESS_TTL_SECONDS', async () => {
    vi.stubEnv('SESSION_ACCESS_TTL_SECONDS', '120');

    const claims = decodeJwt((await issueSessionAccessToken(randomUUID(), randomUUID())).value);

    expect(claims.exp).toBe((claims.iat ?? 0) + 120);
  });

  it('issues tokens that any HS256 verifier accepts with the secret (jose here)', async () => {
    const userId = randomUUID();
    const token = await issueAccessToken(userId, randomUUID());

    const { payload } = await jwtVerify(token.value, keyOf(), { algorithms: ['HS256'], issuer: ACCESS_TOKEN_ISSUER });
    expect(payload.sub).toBe(userId);
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
  it.each([
    ['accepts its own API tokens, naming the user and the session', issueAccessToken, 'bearer'],
    ['names the session of a browser session token', issueSessionAccessToken, 'browser'],
  ] as const)('%s', async (_title, issue, kind) => {
    const userId = randomUUID();
    const sessionId = randomUUID();

    const token = await issue(userId, sessionId);

    expect(await verifyAccessToken(token.value, kind)).toStrictEqual({ ok: true, userId, sessionId });
  });

  it('accepts the tokens issued before jose signed them (the same header and claims, HMAC by hand)', async () => {
    const userId = randomUUID();
    const sessionId = randomUUID();
    const iat = nowSeconds() - 60;
    const payload = { sid: sessionId, iss: ACCESS_TOKEN_ISSUER, sub: userId, iat, jti: randomUUID(), exp: iat + 3600 };
    const token = handSigned('{"alg":"HS256","typ":"JWT"}', JSON.stringify(payload));

    expect(await verifyAccessToken(token, 'bearer')).toStrictEqual({ ok: true, userId, sessionId });
  });

  it('accepts tokens forged exactly like its own (so the refusals below are for the reason they name)', async () => {
    const userId = randomUUID();
    const sessionId = randomUUID();

    expect(await verifyAccessToken(await signJwt(accessClaims(userId, sessionId)), 'bearer')).toStrictEqual({
      ok: true,
      userId,
      sessionId,
    });
    expect(await verifyAccessToken(await signBytes(JSON.stringify(someClaims())), 'bearer')).toMatchObject({
      ok: true,
    });
  });

  it('reports an expired token as expired', async () => {
    const token = await signJwt({ ...someClaims(), iat: nowSeconds() - 7200, exp: nowSeconds() - 60 });

    expect(await verifyAccessToken(token, 'bearer')).toStrictEqual({ ok: false, reason: 'expired' });
  });

  it.each([
    ['signed with another secret', () => signJwt(someClaims(), { secret: OTHER_SECRET })],
    ['with alg none', () => unsignedJwt(someClaims())],
    [
      'with alg none and a signature',
      async () => `${unsignedJwt(someClaims())}${segmentsOf(await signJwt({})).signature}`,
    ],
    ['signed with HS384', () => signJwt(someClaims(), { alg: 'HS384' })],
    ['signed with HS512', () => signJwt(someClaims(), { alg: 'HS512' })],
    [
      'labelled RS256 and signed with HMAC (key confusion)',
      () => handSigned('{"alg":"RS256","typ":"JWT"}', JSON.stringify(someClaims())),
    ],
    [
      'whose header names a key (kid)',
      () => signBytes(JSON.stringify(someClaims()), { alg: 'HS256', typ: 'JWT', kid: 'chirpy' }),
    ],
    [
      'whose header points at a key set (jku)',
      () => signBytes(JSON.stringify(someClaims()), { alg: 'HS256', typ: 'JWT', jku: 'https://evil.example/jwks' }),
    ],
    [
      'whose header names a critical extension jose knows (crit b64)',
      () => signBytes(JSON.stringify(someClaims()), { alg: 'HS256', typ: 'JWT', crit: ['b64'], b64: true }),
    ],
    [
      'whose header names a critical extension nobody knows (crit)',
      () => handSigned('{"alg":"HS256","typ":"JWT","crit":["chirpy"],"chirpy":1}', JSON.stringify(someClaims())),
    ],
    ['whose header has another typ', () => signBytes(JSON.stringify(someClaims()), { alg: 'HS256', typ: 'at+jwt' })],
    ['whose header has no typ', () => signBytes(JSON.stringify(someClaims()), { alg: 'HS256' })],
    ['without a session id (sid)', () => signJwt({ ...someClaims(), sid: undefined })],
    ['with a session id that is not a UUID', () => signJwt({ ...someClaims(), sid: 'admin' })],
    ['from another issuer', () => signJwt({ ...someClaims(), iss: 'someone-else' })],
    ['without an issuer', () => signJwt({ ...someClaims(), iss: undefined })],
    ['without a subject', () => signJwt({ ...someClaims(), sub: undefined })],
    ['whose subject is not a UUID', () => signJwt(accessClaims('root', randomUUID()))],
    ['without an expiry', () => signJwt({ ...someClaims(), exp: undefined })],
    ['without iat', () => signJwt({ ...someClaims(), iat: undefined })],
    [
      'issued in the future (iat past the clock tolerance)',
      () => signJwt({ ...someClaims(), iat: nowSeconds() + 3600, exp: nowSeconds() + 7200 }),
    ],
    ['not valid yet (nbf in the future)', () => signJwt({ ...someClaims(), nbf: nowSeconds() + 3600 })],
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
        return `${header}.${base64url(JSON.stringify({ ...claims, sub: randomUUID() }))}.${signature}`;
      },
    ],
    ['whose signature was changed', () => withSignature((s) => `${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`)],
    ['whose signature uses the base64 alphabet (+ and /)', () => withSignature((s) => `${s.slice(0, -1)}+`)],
    [
      'without its signature (two segments)',
      async () => (await issueAccessToken(randomUUID(), randomUUID())).value.replace(/\.[^.]*$/, ''),
    ],
    ['with a fourth segment', async () => `${(await issueAccessToken(randomUUID(), randomUUID())).value}.`],
    ['whose payload is a JSON array', () => signBytes(JSON.stringify([someClaims()]))],
    ['whose payload is a JSON string', () => signBytes(JSON.stringify('chirpy-access'))],
    ['whose payload is JSON null', () => signBytes('null')],
    ['whose payload is not JSON', () => signBytes('chirpy')],
    [
      'whose payload is not UTF-8',
      () => {
        const json = new TextEncoder().encode(JSON.stringify({ ...someClaims(), name: '?' }));
        json[json.lastIndexOf(0x3f)] = 0xff;
        return signBytes(json);
      },
    ],
    ['whose iat is not a number', () => signBytes(JSON.stringify({ ...someClaims(), iat: `${nowSeconds()}` }))],
    ['whose exp is not a number', () => signBytes(JSON.stringify({ ...someClaims(), exp: `${nowSeconds() + 60}` }))],
    [
      'whose exp is too large for a double',
      () =>
        signBytes(
          `{"iss":"${ACCESS_TOKEN_ISSUER}","sub":"${randomUUID()}","sid":"${randomUUID()}","iat":${nowSeconds()},"exp":1e400}`,
        ),
    ],
    ['whose nbf is not a number', () => signJwt({ ...someClaims(), nbf: 'now' })],
  ])('refuses a token %s as invalid, without throwing', async (_label, make) => {
    const token = await make();

    expect(await verifyAccessToken(token, 'bearer')).toStrictEqual({ ok: false, reason: 'invalid' });
    expect(await verifyAccessToken(token, 'browser')).toStrictEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses a token older than its kind’s lifetime as expired, although its exp is still ahead', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    vi.stubEnv('SESSION_ACCESS_TTL_SECONDS', '300');
    const claims = { ...someClaims(), exp: nowSeconds() + 30 * 24 * 3600 };
    const justPastApiLifetime = nowSeconds() - API_LIFETIME_SECONDS - TOLERANCE_SECONDS - 1;
    const justPastBrowserLifetime = nowSeconds() - 300 - TOLERANCE_SECONDS - 1;

    const oldApiToken = await signJwt({ ...claims, iat: justPastApiLifetime });
    expect(await verifyAccessToken(oldApiToken, 'bearer')).toStrictEqual({ ok: false, reason: 'expired' });

    // One lifetime per kind: what is too old for the cookie may still be young for the API.
    const oldCookieToken = await signJwt({ ...claims, iat: justPastBrowserLifetime });
    expect(await verifyAccessToken(oldCookieToken, 'browser')).toStrictEqual({ ok: false, reason: 'expired' });
    expect(await verifyAccessToken(oldCookieToken, 'bearer')).toMatchObject({ ok: true });
    expect(
      await verifyAccessToken(await signJwt({ ...claims, iat: justPastBrowserLifetime + 1 }), 'browser'),
    ).toMatchObject({ ok: true });
  });

  it('remembers an accepted token no longer than jose would accept it: it still expires on time', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    vi.stubEnv('SESSION_ACCESS_TTL_SECONDS', '300');
    const userId = randomUUID();
    const { value } = await issueSessionAccessToken(userId, randomUUID());
    expect(await verifyAccessToken(value, 'browser')).toMatchObject({ ok: true, userId });
    expect(await verifyAccessToken(value, 'browser')).toMatchObject({ ok: true, userId });

    vi.setSystemTime(Date.now() + (300 + TOLERANCE_SECONDS) * 1000);
    expect(await verifyAccessToken(value, 'browser')).toStrictEqual({ ok: false, reason: 'expired' });
  });

  it('remembers an accepted token for its kind only: one young enough for the API may be too old for a cookie', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    vi.stubEnv('SESSION_ACCESS_TTL_SECONDS', '300');
    const { value } = await issueAccessToken(randomUUID(), randomUUID());
    expect(await verifyAccessToken(value, 'bearer')).toMatchObject({ ok: true });
    expect(await verifyAccessToken(value, 'browser')).toMatchObject({ ok: true });

    vi.setSystemTime(Date.now() + 600 * 1000);
    expect(await verifyAccessToken(value, 'bearer')).toMatchObject({ ok: true });
    expect(await verifyAccessToken(value, 'browser')).toStrictEqual({ ok: false, reason: 'expired' });
  });

  it('forgets accepted tokens when the secret changes: a token of a retired secret is refused at once', async () => {
    const { value } = await issueAccessToken(randomUUID(), randomUUID());
    expect(await verifyAccessToken(value, 'bearer')).toMatchObject({ ok: true });

    vi.stubEnv('JWT_SECRET', OTHER_SECRET);
    expect(await verifyAccessToken(value, 'bearer')).toStrictEqual({ ok: false, reason: 'invalid' });
  });

  it('does not accept a remembered token at a time before its iat (a clock set back)', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const { value } = await issueAccessToken(randomUUID(), randomUUID());
    expect(await verifyAccessToken(value, 'bearer')).toMatchObject({ ok: true });

    vi.setSystemTime(Date.now() - 60 * 1000);
    expect(await verifyAccessToken(value, 'bearer')).toStrictEqual({ ok: false, reason: 'invalid' });
  });

  it('accepts a token issued a little ahead of its own clock (another instance’s clock may run ahead)', async () => {
    const claims = { ...someClaims(), iat: nowSeconds() + 3 };
    expect(await verifyAccessToken(await signJwt(claims), 'bearer')).toMatchObject({ ok: true });
  });

  it('still accepts tokens of JWT_SECRET_PREVIOUS after a rotation, and signs only with the new secret', async () => {
    const userId = randomUUID();
    const oldSecret = process.env.JWT_SECRET ?? '';
    const issuedBefore = (await issueAccessToken(userId, randomUUID())).value;
    vi.stubEnv('JWT_SECRET', OTHER_SECRET);
    vi.stubEnv('JWT_SECRET_PREVIOUS', oldSecret);

    expect(await verifyAccessToken(issuedBefore, 'bearer')).toMatchObject({ ok: true, userId });
    const issuedAfter = (await issueAccessToken(userId, randomUUID())).value;
    await expect(jwtVerify(issuedAfter, keyOf(OTHER_SECRET))).resolves.toMatchObject({ payload: { sub: userId } });
    expect(await verifyAccessToken(issuedAfter, 'bearer')).toMatchObject({ ok: true, userId });

    vi.stubEnv('JWT_SECRET_PREVIOUS', undefined);
    expect(await verifyAccessToken(issuedBefore, 'bearer')).toStrictEqual({ ok: false, reason: 'invalid' });
  });

  it('reports an expired token of the previous secret as expired', async () => {
    const oldSecret = process.env.JWT_SECRET ?? '';
    const expired = await signJwt({ ...someClaims(), iat: nowSeconds() - 7200, exp: nowSeconds() - 60 });
    vi.stubEnv('JWT_SECRET', OTHER_SECRET);
    vi.stubEnv('JWT_SECRET_PREVIOUS', oldSecret);

    expect(await verifyAccessToken(expired, 'bearer')).toStrictEqual({ ok: false, reason: 'expired' });
  });

  it('accepts a token expired less than the clock tolerance (5 s) ago, and not one expired 5 s ago', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const claims = someClaims();

    expect(await verifyAccessToken(await signJwt({ ...claims, exp: nowSeconds() - 4 }), 'bearer')).toMatchObject({
      ok: true,
    });
    expect(await verifyAccessToken(await signJwt({ ...claims, exp: nowSeconds() - 5 }), 'bearer')).toStrictEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('reports a token both expired and not one of ours as invalid, not as expired', async () => {
    const expired = { ...someClaims(), iat: nowSeconds() - 7200, exp: nowSeconds() - 60 };

    expect(await verifyAccessToken(await signJwt({ ...expired, iss: 'someone-else' }), 'bearer')).toStrictEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(await verifyAccessToken(await signJwt(expired, { secret: OTHER_SECRET }), 'bearer')).toStrictEqual({
      ok: false,
      reason: 'invalid',
    });
    const withKid = await signBytes(JSON.stringify(expired), { alg: 'HS256', typ: 'JWT', kid: 'chirpy' });
    expect(await verifyAccessToken(withKid, 'bearer')).toStrictEqual({ ok: false, reason: 'invalid' });
    for (const malformed of [{ sub: 'root' }, { sid: 'admin' }]) {
      expect(await verifyAccessToken(await signJwt({ ...expired, ...malformed }), 'bearer')).toStrictEqual({
        ok: false,
        reason: 'invalid',
      });
    }
  });

  it('imports each secret once as an HMAC CryptoKey, not on every token', async () => {
    vi.stubEnv('JWT_SECRET', `fresh-secret-${randomUUID()}`);
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    const userId = randomUUID();

    for (let i = 0; i < 3; i++) {
      const token = (await issueAccessToken(userId, randomUUID())).value;
      expect(await verifyAccessToken(token, 'bearer')).toMatchObject({ ok: true });
    }
    expect(importKey).toHaveBeenCalledTimes(1);
    expect(importKey).toHaveBeenCalledWith('raw', expect.any(Uint8Array), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);

    vi.stubEnv('JWT_SECRET', `another-fresh-secret-${randomUUID()}`);
    const token = (await issueAccessToken(userId, randomUUID())).value;
    expect(await verifyAccessToken(token, 'bearer')).toMatchObject({ ok: true });
    expect(importKey).toHaveBeenCalledTimes(2);
  });

  it('refuses exactly the tokens outside the policy, on any claims', async () => {
    const now = nowSeconds();
    vi.useFakeTimers({ toFake: ['Date'], now: now * 1000 + 500 });
    // Mostly good values, so that all three verdicts come up; `undefined` leaves the claim out.
    const mostly = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) =>
      fc.oneof({ arbitrary: good, weight: 3 }, { arbitrary: bad, weight: 1 });
    const time = mostly(
      fc
        .constantFrom(-7200, -3606, -3605, -3604, -6, -5, -4.5, -4, -1, 0, 0.5, 1, 4, 5, 6, 3600, 7200)
        .map((offset) => now + offset),
      fc.constantFrom(undefined, null, true, `${now}`),
    );
    const claims = fc.record({
      iss: mostly(fc.constant(ACCESS_TOKEN_ISSUER), fc.constantFrom(undefined, 'someone-else', '', null, 1)),
      sub: mostly(fc.constant(randomUUID()), fc.constantFrom(undefined, 'root', '', null, 7)),
      sid: mostly(fc.constant(randomUUID()), fc.constantFrom(undefined, 'admin', null)),
      iat: time,
      exp: time,
      nbf: mostly(fc.constant(undefined), time),
      jti: fc.constantFrom(undefined, randomUUID()),
      aud: fc.constantFrom(undefined, 'somewhere'),
    });
    const verdicts = new Set<string>();

    await fc.assert(
      fc.asyncProperty(claims, async (payload) => {
        const verdict = await verifyAccessToken(await signBytes(JSON.stringify(payload)), 'bearer');
        verdicts.add(verdict.ok ? 'ok' : verdict.reason);
        expect(verdict.ok).toBe(withinPolicy(payload, now));
        if (verdict.ok) expect(verdict).toStrictEqual({ ok: true, userId: payload.sub, sessionId: payload.sid });
        // Expiry is about time only: a token refused for anything else is invalid.
        if (!verdict.ok && verdict.reason === 'expired')
          expect(withinPolicy(payload, now, { anyTime: true })).toBe(true);
      }),
      { numRuns: 300 },
    );
    expect([...verdicts].sort()).toStrictEqual(['expired', 'invalid', 'ok']);
  });
});

/**
 * The policy, written out: what an API access token's claims must be for the verifier to accept it
 * at `now`. `anyTime`: everything but its age and expiry.
 */
function withinPolicy(claims: Record<string, unknown>, now: number, options: { anyTime?: boolean } = {}): boolean {
  const uuid = z.uuid();
  const { iss, sub, sid, iat, exp, nbf } = claims;
  if (iss !== ACCESS_TOKEN_ISSUER || !uuid.safeParse(sub).success || !uuid.safeParse(sid).success) return false;
  if (typeof iat !== 'number' || typeof exp !== 'number') return false;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + TOLERANCE_SECONDS)) return false;
  if (options.anyTime) return true;
  const age = now - iat;
  return exp > now - TOLERANCE_SECONDS && age <= API_LIFETIME_SECONDS + TOLERANCE_SECONDS && age >= -TOLERANCE_SECONDS;
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
