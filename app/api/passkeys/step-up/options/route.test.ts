import { describe, expect, it } from 'vitest';
import { browserSession } from '@/test/fixtures';
import { jsonOf, makeRequest, setCookies } from '@/test/http';
import { addPasskey, askForOptions, passkeysOnForEachTest } from '@/test/passkeys';
import { POST } from './route';

passkeysOnForEachTest();

const ask = (cookies?: Record<string, string>) => askForOptions(POST, '/api/passkeys/step-up/options', cookies);

describe('POST /api/passkeys/step-up/options', () => {
  it("answers request options for the caller's own passkeys only, with the challenge in a cookie", async () => {
    const session = await browserSession();
    const other = await browserSession();
    const own = await addPasskey(session.id);
    await addPasskey(other.id);

    const response = await ask({ chirpy_access: session.access });

    const { status, body } = await jsonOf(response.clone());
    expect(status).toBe(200);
    expect(body).toMatchObject({
      options: {
        rpId: 'localhost',
        userVerification: 'required',
        allowCredentials: [expect.objectContaining({ id: own.passkey.credentialId })],
      },
    });
    expect(JSON.stringify(body)).not.toContain((await addPasskey(other.id)).passkey.credentialId);
    expect(setCookies(response).get('chirpy_passkey_step_up')?.value).toMatch(/^[\w-]{43}$/);
  });

  it('answers 401 without a session, and 403 to a cookie write from another site', async () => {
    expect((await ask()).status).toBe(401);
    const session = await browserSession();
    const crossSite = makeRequest('POST', '/api/passkeys/step-up/options', {
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      cookies: { chirpy_access: session.access },
    });
    expect((await POST(crossSite)).status).toBe(403);
  });
});
