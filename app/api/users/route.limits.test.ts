import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MESSAGES } from '@/lib/messages';
import { rowCounts, uniqueEmail } from '@/test/fixtures';
import { fromAddress, jsonOf, makeRequest, setCookies } from '@/test/http';
import { SAME_ORIGIN } from '@/test/session-helpers';
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

  it('the sign-up form goes back to /signup with the rate_limited code, no account and no cookie', async () => {
    limitSignUps(1);
    const form = () =>
      POST(
        makeRequest('POST', '/api/users', {
          form: { email: uniqueEmail(), password: 'a fine password' },
          headers: { ...SAME_ORIGIN, ...fromAddress('203.0.113.32') },
        }),
      );
    expect((await form()).status).toBe(303);

    const response = await form();

    expect(response.headers.get('location')).toBe('/signup?error=rate_limited');
    expect(setCookies(response).size).toBe(0);
    expect((await rowCounts()).users).toBe(1);
  });
});
