import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { signUp, type TestUser, userRow } from '@/test/fixtures';
import { limit } from '@/test/rate-limits';
import { codeAt, enrolTotp, pendingKey, STEP_MS, T0, TEST_CONTEXT } from '@/test/second-factor';
import { toAccountActivity } from '../account-activity';
import { getDb } from '../db/client';
import { authEvents, recoveryCodes, totpFactors } from '../db/schema';
import { ACCOUNT_EVENT_TEXT } from '../messages';
import {
  confirmTotpEnrolment,
  hasSecondFactor,
  proveSecondFactor,
  readSecondFactorStatus,
  regenerateRecoveryCodes,
  removeSecondFactor,
  startTotpEnrolment,
  turnOffTotp,
} from './second-factor';

let user: TestUser;

beforeEach(async () => {
  vi.restoreAllMocks();
  // No mail server here: the notices fail to send, and say so in one line.
  vi.spyOn(console, 'error').mockImplementation(() => {});
  user = await signUp();
});

async function account() {
  const row = await userRow(user.id);
  if (!row) throw new Error('no user row');
  return row;
}

async function factorRow() {
  const db = await getDb();
  const [row] = await db.select().from(totpFactors).where(eq(totpFactors.userId, user.id));
  return row;
}

async function eventTypes(): Promise<string[]> {
  const db = await getDb();
  const rows = await db.select().from(authEvents).where(eq(authEvents.userId, user.id)).orderBy(authEvents.id);
  return rows.map((row) => (row.detail ? `${row.type}:${row.detail}` : row.type));
}

describe('enrolment', () => {
  it('is inactive until a first code confirms it; the key is shown only while pending', async () => {
    await startTotpEnrolment(user.id);
    const key = await pendingKey(user.id);

    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    expect(await hasSecondFactor(user.id)).toBe(false);
    const status = await readSecondFactorStatus(await account());
    expect(status).toMatchObject({ state: 'pending', key, qrSvg: expect.stringMatching(/^<svg/) });

    const confirmed = await confirmTotpEnrolment(user.id, await codeAt(key, T0), TEST_CONTEXT, T0);

    expect(confirmed).toEqual({ ok: true, recoveryCodes: expect.any(Array) });
    expect(await hasSecondFactor(user.id)).toBe(true);
    expect(await readSecondFactorStatus(await account())).toEqual({
      state: 'on',
      since: expect.any(Date),
      recoveryCodesLeft: 10,
    });
    expect(await eventTypes()).toContain('totp_enabled');
  });

  it('stores the secret encrypted: the row holds a sealed box, never the base32 key', async () => {
    const { secret } = await enrolTotp(user.id);
    const row = await factorRow();

    expect(row?.secretCiphertext).toMatch(/^v1\./);
    expect(row?.secretCiphertext).not.toContain(secret);
    expect(JSON.stringify(row)).not.toContain(secret);
  });

  it('refuses a wrong first code and stays off', async () => {
    await startTotpEnrolment(user.id);
    const key = await pendingKey(user.id);

    expect(await confirmTotpEnrolment(user.id, await codeAt(key, T0 - 5 * STEP_MS), TEST_CONTEXT, T0)).toEqual({
      ok: false,
      reason: 'wrong_code',
    });
    expect(await hasSecondFactor(user.id)).toBe(false);
  });

  it('a new start replaces an unconfirmed secret, but never one that is on', async () => {
    await startTotpEnrolment(user.id);
    const first = await pendingKey(user.id);
    await startTotpEnrolment(user.id);
    expect(await pendingKey(user.id)).not.toBe(first);

    const { secret } = await enrolTotp(user.id);
    expect(await startTotpEnrolment(user.id)).toEqual({ ok: false, reason: 'already_on' });
    expect(JSON.stringify(await readSecondFactorStatus(await account()))).not.toContain(secret);
  });

  it('gives 10 recovery codes, stored only as SHA-256 hashes', async () => {
    const { recoveryCodes: codes } = await enrolTotp(user.id);

    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    const db = await getDb();
    const rows = await db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.id));
    expect(rows).toHaveLength(10);
    for (const row of rows) expect(row.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(codes[0]?.replaceAll('-', ''));
  });
});

describe('proveSecondFactor', () => {
  it('accepts a code once: the same step again is a replay, and so is an older one after a newer', async () => {
    const { secret } = await enrolTotp(user.id);
    const code = await codeAt(secret, T0);

    expect(await proveSecondFactor(user, code, TEST_CONTEXT, T0)).toEqual({ ok: true, method: 'totp' });
    expect(await proveSecondFactor(user, code, TEST_CONTEXT, T0 + 1000)).toEqual({ ok: false, reason: 'wrong_code' });
    expect(await proveSecondFactor(user, await codeAt(secret, T0 - STEP_MS), TEST_CONTEXT, T0)).toEqual({
      ok: false,
      reason: 'wrong_code',
    });
    expect((await factorRow())?.lastTimeStep).toBe(Math.floor(T0 / STEP_MS));
  });

  it('accepts a step of skew either way, and stores the step it matched', async () => {
    const { secret } = await enrolTotp(user.id);

    expect(await proveSecondFactor(user, await codeAt(secret, T0 + STEP_MS), TEST_CONTEXT, T0)).toMatchObject({
      ok: true,
    });
    expect((await factorRow())?.lastTimeStep).toBe(Math.floor(T0 / STEP_MS) + 1);
    expect(await proveSecondFactor(user, await codeAt(secret, T0 + 3 * STEP_MS), TEST_CONTEXT, T0 + STEP_MS)).toEqual({
      ok: false,
      reason: 'wrong_code',
    });
  });

  it('spends a recovery code once, in any case and with or without dashes, and records its use', async () => {
    const { recoveryCodes: codes } = await enrolTotp(user.id);
    const code = codes[3] ?? '';

    expect(await proveSecondFactor(user, code.toUpperCase().replaceAll('-', ' '), TEST_CONTEXT, T0)).toEqual({
      ok: true,
      method: 'recovery_code',
    });
    expect(await proveSecondFactor(user, code, TEST_CONTEXT, T0)).toEqual({ ok: false, reason: 'wrong_code' });
    expect(await eventTypes()).toContain('recovery_code_used');
    expect(await readSecondFactorStatus(await account())).toMatchObject({ recoveryCodesLeft: 9 });
  });

  it("refuses another account's recovery code", async () => {
    const other = await signUp();
    const { recoveryCodes: theirs } = await enrolTotp(other.id);
    await enrolTotp(user.id);

    expect(await proveSecondFactor(user, theirs[0] ?? '', TEST_CONTEXT, T0)).toEqual({
      ok: false,
      reason: 'wrong_code',
    });
  });

  it("counts wrong codes against the account's second_factor limit; right ones take their count back", async () => {
    limit('SECOND_FACTOR', 2);
    const { secret } = await enrolTotp(user.id);

    expect(await proveSecondFactor(user, await codeAt(secret, T0), TEST_CONTEXT, T0)).toMatchObject({ ok: true });
    expect(await proveSecondFactor(user, '000000', TEST_CONTEXT, T0)).toMatchObject({ reason: 'wrong_code' });
    expect(await proveSecondFactor(user, '000001', TEST_CONTEXT, T0)).toMatchObject({ reason: 'wrong_code' });
    expect(await proveSecondFactor(user, await codeAt(secret, T0 + STEP_MS), TEST_CONTEXT, T0)).toMatchObject({
      ok: false,
      reason: 'rate_limited',
      retryAfterSeconds: expect.any(Number),
    });
    expect(await eventTypes()).toContain('rate_limited:second_factor');
  });

  it('rotation: a secret sealed under the previous key still works, and is sealed again under the current one', async () => {
    const oldKey = 'the-old-mfa-key-that-is-at-least-32-characters';
    vi.stubEnv('MFA_ENCRYPTION_KEY', oldKey);
    const { secret } = await enrolTotp(user.id);
    const sealedOld = (await factorRow())?.secretCiphertext;

    vi.stubEnv('MFA_ENCRYPTION_KEY', 'the-new-mfa-key-that-is-at-least-32-characters');
    vi.stubEnv('MFA_ENCRYPTION_KEY_PREVIOUS', oldKey);
    expect(await proveSecondFactor(user, await codeAt(secret, T0), TEST_CONTEXT, T0)).toMatchObject({ ok: true });
    const sealedNew = (await factorRow())?.secretCiphertext;
    expect(sealedNew?.split('.')[1]).not.toBe(sealedOld?.split('.')[1]);

    vi.stubEnv('MFA_ENCRYPTION_KEY_PREVIOUS', '');
    expect(await proveSecondFactor(user, await codeAt(secret, T0 + STEP_MS), TEST_CONTEXT, T0 + STEP_MS)).toMatchObject(
      {
        ok: true,
      },
    );
  });

  it('a key that opens nothing refuses every code rather than failing', async () => {
    const { secret } = await enrolTotp(user.id);
    vi.stubEnv('MFA_ENCRYPTION_KEY', 'an-unrelated-mfa-key-of-at-least-32-characters');

    expect(await proveSecondFactor(user, await codeAt(secret, T0), TEST_CONTEXT, T0)).toEqual({
      ok: false,
      reason: 'wrong_code',
    });
  });
});

describe('turnOffTotp and regenerateRecoveryCodes', () => {
  it('turning off needs a right code; then the secret and the codes are gone and it is recorded', async () => {
    const { secret } = await enrolTotp(user.id);

    expect(await turnOffTotp(await account(), '000000', TEST_CONTEXT, T0)).toEqual({ ok: false, reason: 'wrong_code' });
    expect(await hasSecondFactor(user.id)).toBe(true);
    expect(await turnOffTotp(await account(), await codeAt(secret, T0), TEST_CONTEXT, T0)).toEqual({ ok: true });

    expect(await hasSecondFactor(user.id)).toBe(false);
    const db = await getDb();
    expect(await db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.id))).toEqual([]);
    expect(await eventTypes()).toEqual(expect.arrayContaining(['sign_in_failed:second_factor', 'totp_disabled']));
    expect(await turnOffTotp(await account(), await codeAt(secret, T0 + STEP_MS), TEST_CONTEXT, T0)).toEqual({
      ok: false,
      reason: 'not_on',
    });
  });

  it('a recovery code can turn it off too (the phone is lost)', async () => {
    const { recoveryCodes: codes } = await enrolTotp(user.id);

    expect(await turnOffTotp(await account(), codes[0] ?? '', TEST_CONTEXT, T0)).toEqual({ ok: true });
    expect(await eventTypes()).toEqual(expect.arrayContaining(['recovery_code_used', 'totp_disabled']));
  });

  it('new recovery codes replace the old set, which stops working', async () => {
    const { recoveryCodes: old } = await enrolTotp(user.id);

    const made = await regenerateRecoveryCodes(await account(), TEST_CONTEXT);

    if (!made.ok) throw new Error('expected new codes');
    expect(made.recoveryCodes).toHaveLength(10);
    expect(await proveSecondFactor(user, old[0] ?? '', TEST_CONTEXT, T0)).toEqual({ ok: false, reason: 'wrong_code' });
    expect(await proveSecondFactor(user, made.recoveryCodes[0] ?? '', TEST_CONTEXT, T0)).toMatchObject({ ok: true });
    expect(await eventTypes()).toContain('recovery_codes_regenerated');
  });

  it("an operator's removal takes the factor away, and the owner's activity says who did it", async () => {
    await enrolTotp(user.id);

    expect(await removeSecondFactor(await account(), { ip: null, userAgent: 'operator' })).toBe(true);

    expect(await hasSecondFactor(user.id)).toBe(false);
    const db = await getDb();
    const [event] = await db.select().from(authEvents).where(eq(authEvents.type, 'totp_disabled'));
    if (!event) throw new Error('no totp_disabled event');
    expect(toAccountActivity(event).text).toBe(ACCOUNT_EVENT_TEXT.totp_disabled_operator);
    expect(await removeSecondFactor(await account(), { ip: null, userAgent: 'operator' })).toBe(false);
  });

  it('no new codes for an account without the factor', async () => {
    expect(await regenerateRecoveryCodes(await account(), TEST_CONTEXT)).toEqual({ ok: false, reason: 'not_on' });
  });
});
