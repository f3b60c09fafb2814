import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { signUp as signUpAndIn } from '@/lib/auth/sign-in';
import { MESSAGES } from '@/lib/messages';
import { apiSession, rowCounts, signUp, uniqueEmail, userRow } from '@/test/fixtures';
import { fromAddress, jsonOf, makeRequest } from '@/test/http';
import { POST, PUT } from './route';

// fromAddress plays a client on a bare server (no proxy in front); the Vercel run of the suite sets
// VERCEL, which would otherwise make the platform's headers the source of the address.
beforeEach(() => {
  vi.stubEnv('TRUST_PROXY', 'none');
});

afterEach(() => {
  vi.unstubAllEnvs();
});

function limitSignUps(limit: number) {
  vi.stubEnv('RATE_LIMIT_SIGNUP_IP_MAX', String(limit));
  vi.stubEnv('RATE_LIMIT_SIGNUP_IP_WINDOW_SECONDS', '3600');
}

function signUpFrom(address: string, email = uniqueEmail()) {
  return POST(
    makeRequest('POST', '/api/users', { json: { email, password: 'a fine password' }, headers: fromAddress(address) }),
  );
}

describe('POST /api/users over the sign-up limit', () => {
  it('answers 429 with Retry-After and {"error"}, creates nothing, and leaves other addresses alone', async () => {
    limitSignUps(2);
    expect((await signUpFrom('203.0.113.30')).status).toBe(201);
    expect((await signUpFrom('203.0.113.30')).status).toBe(201);

    const response = await signUpFrom('203.0.113.30');

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(Number(response.headers.get('retry-after'))).toBeLessThanOrEqual(3600);
    expect(await jsonOf(response)).toEqual({
      status: 429,
      body: { error: MESSAGES.rate_limited, code: 'rate_limited' },
    });
    expect((await rowCounts()).users).toBe(2);
    expect((await signUpFrom('198.51.100.30')).status).toBe(201);
  });

  it('counts attempts with a taken email too, so the 409 cannot be used to test addresses at full speed', async () => {
    limitSignUps(2);
    const email = uniqueEmail();
    expect((await signUpFrom('203.0.113.31', email)).status).toBe(201);
    expect((await signUpFrom('203.0.113.31', email)).status).toBe(409);

    expect((await signUpFrom('203.0.113.31', email)).status).toBe(429);
  });

  it("the sign-up form's flow is held to the same limit: rate_limited, no account, no session", async () => {
    limitSignUps(1);
    const context = { ip: '203.0.113.32', userAgent: 'form' };
    const credentials = () => ({ email: uniqueEmail(), password: 'a fine password' });
    expect((await signUpAndIn(credentials(), 'browser', context)).ok).toBe(true);

    const refused = await signUpAndIn(credentials(), 'browser', context);

    expect(refused).toEqual({ ok: false, reason: 'rate_limited', retryAfterSeconds: expect.any(Number) });
    expect(await rowCounts()).toMatchObject({ users: 1, refreshTokens: 1 });
  });
});

describe('PUT /api/users over the sign-up limit', () => {
  function changeEmailFrom(address: string, token: string, email: string) {
    return PUT(
      makeRequest('PUT', '/api/users', {
        json: { email, password: 'a fine new password' },
        bearer: token,
        headers: fromAddress(address),
      }),
    );
  }

  it('counts new emails like sign-ups, so its 409 cannot test addresses at full speed: 429 with Retry-After, nothing changed', async () => {
    limitSignUps(2);
    const taken = await signUp();
    const session = await apiSession();
    expect((await changeEmailFrom('203.0.113.33', session.token, taken.email)).status).toBe(409);
    expect((await changeEmailFrom('203.0.113.33', session.token, uniqueEmail())).status).toBe(200);
    const before = await userRow(session.id);

    const response = await changeEmailFrom('203.0.113.33', session.token, taken.email);

    expect(response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(await jsonOf(response)).toEqual({
      status: 429,
      body: { error: MESSAGES.rate_limited, code: 'rate_limited' },
    });
    expect(await userRow(session.id)).toStrictEqual(before);
    // The same bucket as sign-ups from that address.
    expect((await signUpFrom('203.0.113.33')).status).toBe(429);
    expect((await changeEmailFrom('198.51.100.33', session.token, taken.email)).status).toBe(409);
  });

  it('does not count a change that keeps the email: a password change is no probe', async () => {
    limitSignUps(1);
    const session = await apiSession();
    for (const password of ['a fine new password', 'another fine password']) {
      const response = await PUT(
        makeRequest('PUT', '/api/users', {
          json: { email: session.email, password },
          bearer: session.token,
          headers: fromAddress('203.0.113.34'),
        }),
      );
      expect(response.status).toBe(200);
    }
    expect((await signUpFrom('203.0.113.34')).status).toBe(201);
  });
});
