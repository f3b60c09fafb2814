import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { POST as login } from '@/app/api/login/route';
import { GET as me } from '@/app/api/me/route';
import { verifyAccessToken } from '@/lib/auth/tokens';
import { MESSAGES } from '@/lib/messages';
import {
  PASSWORD,
  publicAccountMatching,
  publicUserMatching,
  refreshTokenRows,
  signUp,
  type TestUser,
} from '@/test/fixtures';
import { expectError, jsonOf, makeRequest } from '@/test/http';
import { describeJsonBodyRules } from '@/test/json-body-rules';
import { limit } from '@/test/rate-limits';
import { codeAt, type Enrolled, enrolTotp } from '@/test/second-factor';
import { cookieSet, SAME_ORIGIN } from '@/test/session-helpers';
import { POST } from './route';

/**
 * The two-step JSON sign-in: POST /api/login answers an account with a second factor with 401
 * `mfa_required` and a challenge id, never a token, and POST /api/login/mfa turns the challenge
 * and a code into the login's answer.
 */

let user: TestUser;
let enrolled: Enrolled;

beforeEach(async () => {
  user = await signUp();
  enrolled = await enrolTotp(user.id);
});

afterEach(() => {
  vi.restoreAllMocks();
});

const COOKIE_SESSION = { ...SAME_ORIGIN, 'x-chirpy-session': 'cookie' };
const challengeBody = z.object({ error: z.string(), code: z.literal('mfa_required'), challenge_id: z.string() });
const tokensBody = z.object({ id: z.string(), token: z.string(), refresh_token: z.string() });

async function passwordStep(headers: Record<string, string> = {}): Promise<string> {
  const { status, body } = await jsonOf(
    await login(makeRequest('POST', '/api/login', { json: { email: user.email, password: PASSWORD }, headers })),
  );
  expect(status).toBe(401);
  return challengeBody.parse(body).challenge_id;
}

function postMfa(json: unknown, headers: Record<string, string> = {}) {
  return POST(makeRequest('POST', '/api/login/mfa', { json, headers }));
}

const codeNow = () => codeAt(enrolled.secret, Date.now());

describe('POST /api/login for an account with a second factor', () => {
  it('answers 401 mfa_required with a challenge id and its expiry, and no token', async () => {
    const response = await login(
      makeRequest('POST', '/api/login', { json: { email: user.email, password: PASSWORD } }),
    );

    const { status, body } = await jsonOf(response);
    expect(status).toBe(401);
    expect(body).toStrictEqual({
      error: MESSAGES.mfa_required,
      code: 'mfa_required',
      challenge_id: expect.stringMatching(/^[\w-]{43}$/),
      expires_at: expect.any(String),
    });
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await refreshTokenRows(user.id)).toEqual([]);
  });

  it('a wrong password is still the plain 401, with no challenge', async () => {
    const response = await login(
      makeRequest('POST', '/api/login', { json: { email: user.email, password: 'not the password' } }),
    );

    expect(await expectError(response, 401)).toBe(MESSAGES.incorrect_credentials);
  });
});

describe('POST /api/login/mfa', () => {
  it("answers the login's body for the challenge and a right code: the user, a token and a refresh token", async () => {
    const challenge_id = await passwordStep();

    const { status, body } = await jsonOf(await postMfa({ challenge_id, code: await codeNow() }));

    expect(status).toBe(200);
    const { token, refresh_token, ...rest } = tokensBody.passthrough().parse(body);
    expect(rest).toStrictEqual({ ...publicUserMatching(user.email), id: user.id });
    expect(refresh_token).toMatch(/^[0-9a-f]{64}$/);
    const whoAmI = await jsonOf(await me(makeRequest('GET', '/api/me', { bearer: token })));
    expect(whoAmI).toStrictEqual({ status: 200, body: publicAccountMatching(user.email) });
  });

  it('takes a recovery code instead, once', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const code = enrolled.recoveryCodes[0];

    expect((await postMfa({ challenge_id: await passwordStep(), code })).status).toBe(200);
    expect(await expectError(await postMfa({ challenge_id: await passwordStep(), code }), 401)).toBe(
      MESSAGES.mfa_code_invalid,
    );
  });

  it('answers 401 mfa_code_invalid for a wrong code, and mfa_challenge_invalid once the challenge is used up', async () => {
    const challenge_id = await passwordStep();

    const wrong = await postMfa({ challenge_id, code: '000000' });
    expect(await jsonOf(wrong)).toEqual({
      status: 401,
      body: { error: MESSAGES.mfa_code_invalid, code: 'mfa_code_invalid' },
    });
    expect((await postMfa({ challenge_id, code: await codeNow() })).status).toBe(200);
    expect(
      await expectError(await postMfa({ challenge_id, code: await codeAt(enrolled.secret, Date.now() + 30_000) }), 401),
    ).toBe(MESSAGES.mfa_challenge_invalid);
  });

  it('answers 401 mfa_challenge_invalid for an unknown or malformed challenge', async () => {
    for (const challenge_id of ['', 'nope', 'A'.repeat(43)]) {
      expect(await expectError(await postMfa({ challenge_id, code: '123456' }), 401)).toBe(
        MESSAGES.mfa_challenge_invalid,
      );
    }
  });

  it('gives a cookie session when the login asked for one, and not to a caller that did not ask', async () => {
    const challenge_id = await passwordStep(COOKIE_SESSION);
    expect(await expectError(await postMfa({ challenge_id, code: await codeNow() }), 401)).toBe(
      MESSAGES.mfa_challenge_invalid,
    );

    const response = await postMfa({ challenge_id, code: await codeNow() }, COOKIE_SESSION);

    const { status, body } = await jsonOf(response);
    expect(status).toBe(200);
    expect(body).toStrictEqual({ ...publicUserMatching(user.email), id: user.id });
    const access = cookieSet(response, 'chirpy_access');
    expect(await verifyAccessToken(access.value, 'browser')).toMatchObject({ ok: true, userId: user.id });
    expect(cookieSet(response, 'chirpy_refresh').attributes.get('httponly')).toBe(true);
  });

  it("answers 429 with Retry-After past the account's limit on wrong codes", async () => {
    limit('SECOND_FACTOR', 1);
    await postMfa({ challenge_id: await passwordStep(), code: '000000' });

    const response = await postMfa({ challenge_id: await passwordStep(), code: await codeNow() });

    expect(await expectError(response, 429)).toBe(MESSAGES.rate_limited);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers 400 for a body without the two strings', async () => {
    for (const json of [{}, { challenge_id: 'x' }, { code: '123456' }, { challenge_id: 1, code: '123456' }]) {
      expect((await postMfa(json)).status).toBe(400);
    }
  });
});

describeJsonBodyRules({
  route: 'POST /api/login/mfa',
  handler: POST,
  arrange: async () => {
    const owner = await signUp();
    const { secret } = await enrolTotp(owner.id);
    const first = await login(makeRequest('POST', '/api/login', { json: { email: owner.email, password: PASSWORD } }));
    const { challenge_id } = challengeBody.parse((await jsonOf(first)).body);
    return { json: { challenge_id, code: await codeAt(secret, Date.now()) } };
  },
  acceptedStatus: 200,
  expectUnchanged: async () => expect(await refreshTokenRows(user.id)).toEqual([]),
});
