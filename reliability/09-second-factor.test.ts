import { generate } from 'otplib';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { createRecoveryCodes, hashRecoveryCode } from '@/lib/auth/recovery-codes';
import { resolveSecretKeys, sealSecret } from '@/lib/auth/secret-box';
import { createTotpSecret } from '@/lib/auth/totp';
import { type Account, signUp } from './harness/accounts';
import { jsonBody, randomAddress, runDir, send, serverFor } from './harness/client';
import { query } from './harness/database';
import { reportWhenDone } from './harness/part';
import { recordSecrets } from './harness/secrets';
import { mfaKeyFor } from './harness/settings';

/**
 * The two-step sign-in against the production servers: an account with an authenticator app
 * (enrolled in the database the way the account page leaves it, sealed under the servers' key)
 * signs in with its password, then a code or a recovery code, across both instances. Its secret
 * and recovery codes are recorded, so the leak check (99-leaks) looks for them in the servers'
 * output and in every text column.
 */

let twoStep = 0;
reportWhenDone('second factor', () => ({ twoStepSignIns: twoStep }));

let account: Account;
let secret: string;
let recoveryCodes: string[];
const ip = randomAddress();

beforeAll(async () => {
  account = await signUp(serverFor(0), 'totp');
  secret = createTotpSecret();
  recoveryCodes = createRecoveryCodes();
  recordSecrets(runDir, secret, ...recoveryCodes);
  const keys = resolveSecretKeys({
    NODE_ENV: 'production',
    MFA_ENCRYPTION_KEY: mfaKeyFor(inject('reliabilityJwtSecret')),
  });
  await query('insert into totp_factors (user_id, secret_ciphertext, confirmed_at) values ($1, $2, now())', [
    account.id,
    sealSecret(secret, account.id, keys),
  ]);
  for (const code of recoveryCodes) {
    await query('insert into recovery_codes (user_id, code_hash) values ($1, $2)', [
      account.id,
      hashRecoveryCode(code),
    ]);
  }
});

const challengeSchema = z.object({ code: z.literal('mfa_required'), challenge_id: z.string() });
const tokensSchema = z.object({ token: z.string(), refresh_token: z.string() });

async function passwordStep(server: number): Promise<string> {
  const reply = await send(serverFor(server), {
    path: '/api/login',
    json: { email: account.email, password: account.password },
    ip,
  });
  expect(reply.status, reply.body).toBe(401);
  expect(reply.body).not.toMatch(/"token"/);
  return challengeSchema.parse(jsonBody(reply)).challenge_id;
}

function secondStep(server: number, challenge_id: string, code: string) {
  return send(serverFor(server), { path: '/api/login/mfa', json: { challenge_id, code }, ip });
}

describe('two-step sign-in on the production servers', () => {
  it('the password gives a challenge on one instance; a wrong code is refused and a right one signs in on the other', async () => {
    const challenge = await passwordStep(0);

    expect((await secondStep(1, challenge, '000000')).status).toBe(401);
    const reply = await secondStep(1, challenge, await generate({ secret }));

    expect(reply.status, reply.body).toBe(200);
    expect(tokensSchema.safeParse(jsonBody(reply)).success).toBe(true);
    twoStep += 1;
  });

  it('a recovery code signs in once', async () => {
    const [code = ''] = recoveryCodes;
    expect((await secondStep(0, await passwordStep(1), code)).status).toBe(200);
    twoStep += 1;

    const again = await secondStep(1, await passwordStep(0), code);
    expect(again.status).toBe(401);
    expect(jsonBody(again)).toMatchObject({ code: 'mfa_code_invalid' });
  });

  it('the database holds the secret sealed, never the base32 key, and the codes only hashed', async () => {
    const rows = await query<{ secret_ciphertext: string }>('select secret_ciphertext from totp_factors');
    expect(rows.map((row) => row.secret_ciphertext)).toEqual([expect.stringMatching(/^v1\./)]);
    expect(JSON.stringify(rows)).not.toContain(secret);
    const codes = await query<{ code_hash: string }>('select code_hash from recovery_codes');
    expect(codes).toHaveLength(10);
    for (const code of recoveryCodes) expect(JSON.stringify(codes)).not.toContain(code);
  });
});
