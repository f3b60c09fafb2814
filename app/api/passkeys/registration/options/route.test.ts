import { describe, expect, it, vi } from 'vitest';
import { browserSession } from '@/test/fixtures';
import { expectError, jsonOf, setCookies } from '@/test/http';
import { addPasskey, askForOptions, passkeysOnForEachTest } from '@/test/passkeys';
import { POST } from './route';

passkeysOnForEachTest();

const ask = (cookies?: Record<string, string>) => askForOptions(POST, '/api/passkeys/registration/options', cookies);

describe('POST /api/passkeys/registration/options', () => {
  it('answers creation options for the signed-in account, leaving out its passkeys, with the challenge in a cookie', async () => {
    const session = await browserSession();
    const { passkey } = await addPasskey(session.id);

    const response = await ask({ chirpy_access: session.access });

    const { status, body } = await jsonOf(response.clone());
    expect(status).toBe(200);
    expect(body).toMatchObject({
      options: {
        rp: { id: 'localhost', name: 'Chirpy' },
        user: { name: session.email },
        attestation: 'none',
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        excludeCredentials: [expect.objectContaining({ id: passkey.credentialId })],
      },
    });
    expect(setCookies(response).get('chirpy_passkey_registration')?.attributes.get('samesite')).toBe('strict');
  });

  it('answers 401 without a session, and 404 where passkeys are not set up', async () => {
    expect((await ask()).status).toBe(401);
    const session = await browserSession();
    vi.stubEnv('APP_URL', '');
    expect(await expectError(await ask({ chirpy_access: session.access }), 404)).toBe(
      'Passkeys are not set up on this site',
    );
  });
});
