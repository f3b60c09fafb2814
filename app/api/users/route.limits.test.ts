import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { signUp as signUpAndIn } from '@/lib/auth/session-flow';
import { MESSAGES } from '@/lib/messages';
import { rowCounts, uniqueEmail } from '@/test/fixtures';
import { fromAddress, jsonOf, makeRequest } from '@/test/http';
import { POST } from './route';

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
    expect(await jsonOf(response)).toEqual({ status: 429, body: { error: MESSAGES.rate_limited } });
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
