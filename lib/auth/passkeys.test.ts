import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { signUp } from '@/test/fixtures';
import {
  AUTHENTICATOR,
  addPasskey,
  assertionChallenge,
  CONTEXT,
  cookieJar,
  registrationStart,
  TEST_RP,
  userRow,
} from '@/test/passkeys';
import { eventsOf } from '@/test/session-helpers';
import { assert, register } from '@/test/software-authenticator';
import { getDb } from '../db/client';
import { isUniqueViolation } from '../db/errors';
import { passkeys, users } from '../db/schema';
import { finishPasskeyRegistration, verifyPasskeyAssertion } from './passkey-ceremonies';
import { countSignInMethods, deletePasskey, insertPasskey, listPasskeys, toPasskeySummary } from './passkeys';
import { takeChallenge } from './webauthn-challenges';

async function passkeyRow(id: string) {
  const db = await getDb();
  const [row] = await db.select().from(passkeys).where(eq(passkeys.id, id));
  return row;
}

/** A sign-in assertion from `credential` against a fresh challenge, and the challenge as taken. */
async function signInAssertion(credential: Parameters<typeof assert>[0], signCount?: number) {
  const { challenge, cookie } = await assertionChallenge('sign_in');
  const response = assert(credential, challenge, { ...AUTHENTICATOR, signCount });
  return { response, taken: await takeChallenge(cookieJar(cookie), 'sign_in', null, false) };
}

describe('registering a passkey', () => {
  it('keeps its credential id and public key, device-bound or synced as the authenticator says, and records it', async () => {
    const user = await signUp();

    const deviceBound = await addPasskey(user.id, 'Laptop');
    const synced = await addPasskey(user.id, 'Phone', { synced: true });

    const listed = (await listPasskeys(user.id)).map(toPasskeySummary);
    expect(listed).toEqual([
      expect.objectContaining({ name: 'Laptop', storage: 'device_bound', lastUsedAt: null }),
      expect.objectContaining({ name: 'Phone', storage: 'synced', lastUsedAt: null }),
    ]);
    expect(deviceBound.passkey).toMatchObject({
      credentialId: deviceBound.credential.id.toString('base64url'),
      signCount: 0,
      backupEligible: false,
      transports: ['internal'],
    });
    expect(synced.passkey).toMatchObject({ backupEligible: true, backedUp: true });
    expect((await eventsOf('passkey_added')).map((event) => event.detail)).toEqual(['Laptop', 'Phone']);
  });

  it('offers none of the account’s own passkeys again, and asks for a discoverable one with user verification', async () => {
    const user = await signUp();
    const { passkey } = await addPasskey(user.id);

    const start = await registrationStart(await userRow(user.id));

    expect(start.options).toMatchObject({
      rp: { id: TEST_RP.id, name: 'Chirpy' },
      attestation: 'none',
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      excludeCredentials: [expect.objectContaining({ id: passkey.credentialId })],
    });
  });

  it('is refused for another origin, another RP ID, a spent challenge or no user verification', async () => {
    const user = await userRow((await signUp()).id);
    const attempt = async (options: Partial<typeof AUTHENTICATOR> & { userVerified?: boolean }, spend = false) => {
      const start = await registrationStart(user);
      const { response } = register(start.options.challenge, user.id, { ...AUTHENTICATOR, ...options });
      if (spend) await takeChallenge(cookieJar(start.cookie), 'registration', user.id, false);
      const taken = await takeChallenge(cookieJar(start.cookie), 'registration', user.id, false);
      return finishPasskeyRegistration(user, response, 'Key', taken, TEST_RP, CONTEXT);
    };

    expect(await attempt({ origin: 'https://evil.example' })).toEqual({ ok: false, reason: 'rejected' });
    expect(await attempt({ rpId: 'evil.example' })).toEqual({ ok: false, reason: 'rejected' });
    expect(await attempt({}, true)).toEqual({ ok: false, reason: 'rejected' });
    expect(await attempt({ userVerified: false })).toEqual({ ok: false, reason: 'rejected' });
    expect(await listPasskeys(user.id)).toEqual([]);
  });

  it('refuses a credential id already registered, to this account or another: the database keeps it unique', async () => {
    const [owner, other] = await Promise.all([signUp(), signUp()]);
    const { passkey } = await addPasskey(owner.id);
    const copy = { ...passkey, name: 'Copy' };

    expect(await insertPasskey(other.id, copy, CONTEXT)).toEqual({ ok: false, reason: 'already_registered' });
    expect(await insertPasskey(owner.id, copy, CONTEXT)).toEqual({ ok: false, reason: 'already_registered' });
    const db = await getDb();
    const direct = db.insert(passkeys).values({ ...copy, id: undefined, userId: other.id });
    expect(
      isUniqueViolation(
        await direct.then(
          () => null,
          (error: unknown) => error,
        ),
      ),
    ).toBe(true);
    expect(await listPasskeys(other.id)).toEqual([]);
  });
});

describe('proving a passkey', () => {
  it('accepts a verified signature, and stores the new counter and when it was used', async () => {
    const user = await signUp();
    const { credential, passkey } = await addPasskey(user.id);
    const { response, taken } = await signInAssertion(credential);

    const assertion = await verifyPasskeyAssertion(response, taken, TEST_RP, null, CONTEXT);

    expect(assertion).toMatchObject({ ok: true, user: { id: user.id }, passkey: { id: passkey.id } });
    expect(await passkeyRow(passkey.id)).toMatchObject({ signCount: 1, lastUsedAt: expect.any(Date) });
  });

  it('refuses a signature whose counter went back (or stood still), and records it for the owner', async () => {
    const user = await signUp();
    const { credential, passkey } = await addPasskey(user.id);
    const first = await signInAssertion(credential, 5);
    expect(await verifyPasskeyAssertion(first.response, first.taken, TEST_RP, null, CONTEXT)).toMatchObject({
      ok: true,
    });

    const lower = await signInAssertion(credential, 4);
    const same = await signInAssertion(credential, 5);

    expect(await verifyPasskeyAssertion(lower.response, lower.taken, TEST_RP, null, CONTEXT)).toEqual({
      ok: false,
      reason: 'counter_decreased',
    });
    expect(await verifyPasskeyAssertion(same.response, same.taken, TEST_RP, null, CONTEXT)).toEqual({
      ok: false,
      reason: 'counter_decreased',
    });
    expect(await passkeyRow(passkey.id)).toMatchObject({ signCount: 5 });
    const failures = await eventsOf('sign_in_failed');
    expect(failures.map((event) => [event.userId, event.detail])).toEqual([
      [user.id, 'passkey_counter'],
      [user.id, 'passkey_counter'],
    ]);
  });

  it('accepts an authenticator that keeps no counter (0 every time)', async () => {
    const user = await signUp();
    const { credential } = await addPasskey(user.id);
    for (let i = 0; i < 2; i++) {
      const { response, taken } = await signInAssertion(credential, 0);
      expect(await verifyPasskeyAssertion(response, taken, TEST_RP, null, CONTEXT)).toMatchObject({ ok: true });
    }
  });

  it('refuses a replayed assertion, a passkey of another account for a step-up, and a removed passkey', async () => {
    const [owner, other] = await Promise.all([signUp(), signUp()]);
    const { credential, passkey } = await addPasskey(owner.id);
    await addPasskey(owner.id, 'Spare');
    const used = await signInAssertion(credential);
    expect(await verifyPasskeyAssertion(used.response, used.taken, TEST_RP, null, CONTEXT)).toMatchObject({ ok: true });

    expect(await verifyPasskeyAssertion(used.response, used.taken, TEST_RP, null, CONTEXT)).toMatchObject({
      ok: false,
    });
    const replay = await takeChallenge(
      cookieJar({ name: 'chirpy_passkey_sign_in', value: 'x' }),
      'sign_in',
      null,
      false,
    );
    expect(await verifyPasskeyAssertion(used.response, replay, TEST_RP, null, CONTEXT)).toMatchObject({ ok: false });
    const forOther = await signInAssertion(credential);
    expect(await verifyPasskeyAssertion(forOther.response, forOther.taken, TEST_RP, other.id, CONTEXT)).toMatchObject({
      ok: false,
    });
    expect(await deletePasskey(owner.id, passkey.id, CONTEXT)).toEqual({ ok: true });
    const afterRemoval = await signInAssertion(credential);
    expect(await verifyPasskeyAssertion(afterRemoval.response, afterRemoval.taken, TEST_RP, null, CONTEXT)).toEqual({
      ok: false,
      reason: 'rejected',
    });
  });

  it('refuses a signature for another origin or made by another key', async () => {
    const user = await signUp();
    const { credential } = await addPasskey(user.id);
    const { credential: stranger } = await addPasskey((await signUp()).id);
    const { challenge, cookie } = await assertionChallenge('sign_in');
    const wrongOrigin = assert(credential, challenge, { ...AUTHENTICATOR, origin: 'https://evil.example' });
    const taken = await takeChallenge(cookieJar(cookie), 'sign_in', null, false);
    expect(await verifyPasskeyAssertion(wrongOrigin, taken, TEST_RP, null, CONTEXT)).toEqual({
      ok: false,
      reason: 'rejected',
    });

    const other = await signInAssertion(credential);
    const forged = {
      ...other.response,
      response: { ...other.response.response, signature: assert(stranger, 'x', AUTHENTICATOR).response.signature },
    };
    expect(await verifyPasskeyAssertion(forged, other.taken, TEST_RP, null, CONTEXT)).toMatchObject({ ok: false });
    expect((await eventsOf('sign_in_failed')).map((event) => event.detail)).toEqual(['passkey', 'passkey']);
  });
});

describe('removing a passkey: never the last way to sign in', () => {
  it('counts a password and each passkey as a way to sign in', () => {
    expect(countSignInMethods({ password: true, passkeys: 0 })).toBe(1);
    expect(countSignInMethods({ password: false, passkeys: 2 })).toBe(2);
    expect(countSignInMethods({ password: true, passkeys: 3 })).toBe(4);
  });

  it('lets an account with a password remove its only passkey, and records it', async () => {
    const user = await signUp();
    const { passkey } = await addPasskey(user.id, 'Only one');

    expect(await deletePasskey(user.id, passkey.id, CONTEXT)).toEqual({ ok: true });

    expect(await listPasskeys(user.id)).toEqual([]);
    expect((await eventsOf('passkey_removed')).map((event) => event.detail)).toEqual(['Only one']);
  });

  it('lets an account with only passkeys remove one, but never its last', async () => {
    const user = await signUp();
    const first = await addPasskey(user.id, 'First');
    const second = await addPasskey(user.id, 'Second');
    const db = await getDb();
    await db.update(users).set({ hashedPassword: '' }).where(eq(users.id, user.id));

    expect(await deletePasskey(user.id, first.passkey.id, CONTEXT)).toEqual({ ok: true });
    expect(await deletePasskey(user.id, second.passkey.id, CONTEXT)).toEqual({ ok: false, reason: 'last_credential' });

    expect((await listPasskeys(user.id)).map((passkey) => passkey.name)).toEqual(['Second']);
  });

  it('answers not_found for a passkey of another account, and removes nothing', async () => {
    const [owner, other] = await Promise.all([signUp(), signUp()]);
    const { passkey } = await addPasskey(owner.id);

    expect(await deletePasskey(other.id, passkey.id, CONTEXT)).toEqual({ ok: false, reason: 'not_found' });
    expect(await listPasskeys(owner.id)).toHaveLength(1);
  });
});
