import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { GET as meGet } from '@/app/api/me/route';
import { signUp } from '@/test/fixtures';
import { expectError, jsonOf, makeRequest, setCookies } from '@/test/http';
import { describeJsonBodyRules } from '@/test/json-body-rules';
import { AUTHENTICATOR, addPasskey, passkeysOnForEachTest } from '@/test/passkeys';
import { enrolTotp } from '@/test/second-factor';
import { eventsOf, liveRows, SAME_ORIGIN, sessionRows } from '@/test/session-helpers';
import { assert, type SoftwareCredential } from '@/test/software-authenticator';
import { POST as options } from './options/route';
import { POST } from './route';

const CHALLENGE_COOKIE = 'chirpy_passkey_sign_in';

passkeysOnForEachTest();

/** What a browser on our page does: asks for options, keeps the cookie, signs the challenge. */
async function signedAssertion(credential: SoftwareCredential, signCount?: number) {
  const response = await options(makeRequest('POST', '/api/passkeys/sign-in/options'));
  const { status, body } = await jsonOf(response.clone());
  expect(status).toBe(200);
  const cookie = setCookies(response).get(CHALLENGE_COOKIE);
  const challenge = z.object({ options: z.object({ challenge: z.string() }) }).parse(body).options.challenge;
  const assertion = assert(credential, challenge, { ...AUTHENTICATOR, signCount });
  return { json: { response: assertion }, headers: { ...SAME_ORIGIN, cookie: `${CHALLENGE_COOKIE}=${cookie?.value}` } };
}

function signIn(request: { json: unknown; headers: Record<string, string> }) {
  return POST(makeRequest('POST', '/api/passkeys/sign-in', request));
}

describe('POST /api/passkeys/sign-in/options', () => {
  it('answers request options for any passkey of this site, with user verification, and binds the challenge with a cookie', async () => {
    const response = await options(makeRequest('POST', '/api/passkeys/sign-in/options'));
    const { status, body } = await jsonOf(response.clone());

    expect(status).toBe(200);
    expect(body).toMatchObject({
      options: { rpId: 'localhost', userVerification: 'required', allowCredentials: [], challenge: expect.any(String) },
    });
    const attributes = setCookies(response).get(CHALLENGE_COOKIE)?.attributes;
    expect(attributes?.get('httponly')).toBe(true);
    expect(attributes?.get('samesite')).toBe('strict');
    expect(attributes?.get('max-age')).toBe('300');
  });

  it('answers 404 where passkeys are not set up (no APP_URL or WEBAUTHN_ORIGIN outside next dev)', async () => {
    vi.stubEnv('APP_URL', '');
    const response = await options(makeRequest('POST', '/api/passkeys/sign-in/options'));
    expect(await expectError(response, 404)).toBe('Passkeys are not set up on this site');
  });

  it('bounds the challenges one address can have stored: 429 over RATE_LIMIT_PASSKEY_OPTIONS_MAX', async () => {
    vi.stubEnv('RATE_LIMIT_PASSKEY_OPTIONS_MAX', '2');
    for (let i = 0; i < 2; i++) {
      expect((await options(makeRequest('POST', '/api/passkeys/sign-in/options'))).status).toBe(200);
    }
    const response = await options(makeRequest('POST', '/api/passkeys/sign-in/options'));
    expect(await expectError(response, 429)).toBe('Too many attempts. Try again later.');
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(setCookies(response).get(CHALLENGE_COOKIE)).toBeUndefined();
  });
});

describe('POST /api/passkeys/sign-in', () => {
  it('starts the same browser session a password does: cookies, a browser session row, signed_in', async () => {
    const user = await signUp();
    const { credential } = await addPasskey(user.id);

    const response = await signIn(await signedAssertion(credential));

    const { status, body } = await jsonOf(response.clone());
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: user.id, email: user.email });
    const cookies = setCookies(response);
    const access = cookies.get('chirpy_access')?.value ?? '';
    expect(access).not.toBe('');
    expect(cookies.get('chirpy_refresh')?.value).toMatch(/^[0-9a-f]{64}$/);
    expect(cookies.get(CHALLENGE_COOKIE)?.value).toBe('');
    const me = await jsonOf(await meGet(makeRequest('GET', '/api/me', { cookies: { chirpy_access: access } })));
    expect(me).toMatchObject({ status: 200, body: { id: user.id } });
    const [signedIn] = await eventsOf('signed_in');
    expect(signedIn).toMatchObject({ userId: user.id });
    expect(liveRows(await sessionRows(signedIn?.sessionId ?? ''))).toEqual([
      expect.objectContaining({ client: 'browser', userId: user.id }),
    ]);
  });

  it('signs in an account with two-step sign-in on without asking for a code: a passkey counts as both factors', async () => {
    const user = await signUp();
    await enrolTotp(user.id);
    const { credential } = await addPasskey(user.id);

    const response = await signIn(await signedAssertion(credential));

    expect(await jsonOf(response.clone())).toMatchObject({ status: 200, body: { id: user.id } });
    expect(setCookies(response).get('chirpy_access')?.value).not.toBe('');
    expect(await eventsOf('signed_in')).toEqual([expect.objectContaining({ userId: user.id })]);
  });

  it('with REQUIRE_EMAIL_VERIFICATION=true, refuses an unconfirmed address with 403 email_unverified and no session', async () => {
    vi.stubEnv('REQUIRE_EMAIL_VERIFICATION', 'true');
    const user = await signUp();
    const { credential } = await addPasskey(user.id);

    const response = await signIn(await signedAssertion(credential));

    const { status, body } = await jsonOf(response.clone());
    expect(status).toBe(403);
    expect(body).toMatchObject({ code: 'email_unverified' });
    expect(setCookies(response).get('chirpy_access')).toBeUndefined();
    expect(await eventsOf('signed_in')).toEqual([]);
    expect(await eventsOf('sign_in_failed')).toEqual([
      expect.objectContaining({ userId: user.id, detail: 'email_unverified' }),
    ]);
  });

  it('refuses the same assertion twice (the challenge is spent), and a removed or unknown passkey, with one answer', async () => {
    const user = await signUp();
    const { credential } = await addPasskey(user.id);
    const request = await signedAssertion(credential);
    expect((await signIn(request)).status).toBe(200);

    const replay = await signIn(request);
    expect(await expectError(replay, 401)).toBe(
      'That passkey was not accepted. Try again, or sign in with your password.',
    );
    expect(setCookies(replay).get('chirpy_access')).toBeUndefined();
    const { credential: unknown } = await addPasskey((await signUp()).id);
    const forged = await signedAssertion({ ...unknown, id: Buffer.from('not registered') });
    expect((await signIn(forged)).status).toBe(401);
  });

  it('refuses a counter that went back, and the owner sees why in the audit log', async () => {
    const user = await signUp();
    const { credential } = await addPasskey(user.id);
    expect((await signIn(await signedAssertion(credential, 7))).status).toBe(200);

    const copy = await signIn(await signedAssertion(credential, 3));

    expect(copy.status).toBe(401);
    expect((await eventsOf('sign_in_failed')).map((event) => [event.userId, event.detail])).toEqual([
      [user.id, 'passkey_counter'],
    ]);
    expect(await eventsOf('signed_in')).toHaveLength(1);
  });

  it("counts each attempt against the address's sign-in limit, as a password attempt: 429 over it", async () => {
    vi.stubEnv('RATE_LIMIT_LOGIN_IP_MAX', '1');
    const user = await signUp();
    const { credential } = await addPasskey(user.id);
    const first = await signedAssertion(credential);
    const second = await signedAssertion(credential);
    expect((await signIn(first)).status).toBe(200);

    const response = await signIn(second);

    expect(await expectError(response, 429)).toBe('Too many attempts. Try again later.');
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await eventsOf('signed_in')).toHaveLength(1);
  });

  it('refuses a request that is not from our own pages with 403, before anything is checked', async () => {
    const user = await signUp();
    const { credential } = await addPasskey(user.id);
    const request = await signedAssertion(credential);
    const crossSite = {
      ...request,
      headers: { ...request.headers, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    };

    expect(await expectError(await signIn(crossSite), 403)).toBe('Cross-site request refused');
    expect((await signIn(request)).status).toBe(200);
  });

  it('answers 400 to a body that is no WebAuthn assertion', async () => {
    const response = await signIn({ json: { response: { id: 'x', type: 'password' } }, headers: { ...SAME_ORIGIN } });
    expect(response.status).toBe(400);
  });
});

describeJsonBodyRules({
  route: 'POST /api/passkeys/sign-in',
  handler: POST,
  arrange: async () => {
    vi.stubEnv('APP_URL', SAME_ORIGIN.origin);
    const { credential } = await addPasskey((await signUp()).id);
    return signedAssertion(credential);
  },
  acceptedStatus: 200,
  expectUnchanged: async () => expect(await eventsOf('signed_in')).toEqual([]),
});
