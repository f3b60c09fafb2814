import { afterEach, describe, expect, it, vi } from 'vitest';
import { signUp, userRow, withDatabaseDown } from '@/test/fixtures';
import { expectError, expectNoContent, jsonOf, makeRequest } from '@/test/http';
import { describeJsonBodyRules } from '@/test/json-body-rules';
import { POST } from './route';

afterEach(() => {
  vi.unstubAllEnvs();
});

const POLKA_KEY = 'test-polka-key';
const UNKNOWN_USER = '0b6f3c9e-2d7a-4f1b-8c5e-9a3d7e1f2b4c';

function webhook(json: unknown, authorization: string | null = `ApiKey ${POLKA_KEY}`) {
  return POST(makeRequest('POST', '/api/polka/webhooks', { json, headers: authorization ? { authorization } : {} }));
}

function upgraded(userId: string) {
  return { event: 'user.upgraded', data: { user_id: userId } };
}

async function isChirpyRed(userId: string): Promise<boolean | undefined> {
  return (await userRow(userId))?.isChirpyRed;
}

describe('POST /api/polka/webhooks', () => {
  it('answers 204 to user.upgraded and makes the user Chirpy Red', async () => {
    const user = await signUp();
    const bystander = await signUp();

    await expectNoContent(await webhook(upgraded(user.id)));

    expect(await isChirpyRed(user.id)).toBe(true);
    expect(await isChirpyRed(bystander.id)).toBe(false);
  });

  it('answers 204 again when the same upgrade is delivered twice', async () => {
    const user = await signUp();
    await expectNoContent(await webhook(upgraded(user.id)));

    await expectNoContent(await webhook(upgraded(user.id)));
    expect(await isChirpyRed(user.id)).toBe(true);
  });

  it.each([
    ['another event', { event: 'user.payment_failed', data: { user_id: 'ignored' } }],
    ['another event without data', { event: 'user.created' }],
  ])('answers 204 to %s and changes nothing', async (_label, json) => {
    const user = await signUp();
    const before = await userRow(user.id);

    await expectNoContent(await webhook(json));
    expect(await userRow(user.id)).toStrictEqual(before);
  });

  it('answers 404 when the user does not exist', async () => {
    const user = await signUp();

    expect(await expectError(await webhook(upgraded(UNKNOWN_USER)), 404)).toBe('User not found');
    expect(await isChirpyRed(user.id)).toBe(false);
  });

  it.each([
    ['no Authorization header', null],
    ['a wrong key', 'ApiKey not-the-polka-key'],
    ['the key with one character more', `ApiKey ${POLKA_KEY}x`],
    ['the key under the Bearer scheme', `Bearer ${POLKA_KEY}`],
    ['the scheme without a key', 'ApiKey'],
  ])('answers 401 to %s and upgrades nobody', async (_label, authorization) => {
    const user = await signUp();

    expect(await expectError(await webhook(upgraded(user.id), authorization), 401)).toBe('Invalid or missing API key');
    expect(await isChirpyRed(user.id)).toBe(false);
  });

  it('answers 401 to every key when POLKA_KEY is not configured (fails closed)', async () => {
    vi.stubEnv('POLKA_KEY', undefined);
    const user = await signUp();

    await expectError(await webhook(upgraded(user.id)), 401);
    await expectError(await webhook(upgraded(user.id), 'ApiKey undefined'), 401);
    expect(await isChirpyRed(user.id)).toBe(false);
  });

  it('checks the key before reading the body: a bad key with a bad body is still 401', async () => {
    await expectError(await webhook({ event: 42 }, 'ApiKey wrong'), 401);
  });

  it.each([
    ['user.upgraded without data', { event: 'user.upgraded' }],
    ['user.upgraded without a user_id', { event: 'user.upgraded', data: {} }],
    ['user.upgraded with a malformed user_id', { event: 'user.upgraded', data: { user_id: 'bob' } }],
    ['user.upgraded with data not an object', { event: 'user.upgraded', data: 'bob' }],
    ['no event', { data: { user_id: UNKNOWN_USER } }],
    ['an event that is not a string', { event: ['user.upgraded'], data: { user_id: UNKNOWN_USER } }],
  ])('answers 400 to %s and upgrades nobody', async (_label, json) => {
    const user = await signUp();

    await expectError(await webhook(json), 400);
    expect(await isChirpyRed(user.id)).toBe(false);
  });

  it('answers 503 when the database is down, so Polka retries', async () => {
    const user = await signUp();

    await withDatabaseDown(async () => {
      expect(await jsonOf(await webhook(upgraded(user.id)))).toStrictEqual({
        status: 503,
        body: { error: 'Service unavailable: the database is not answering' },
      });
    });
    expect(await isChirpyRed(user.id)).toBe(false);
  });
});

describeJsonBodyRules({
  route: 'POST /api/polka/webhooks',
  handler: POST,
  arrange: async () => ({ json: upgraded((await signUp()).id), headers: { authorization: `ApiKey ${POLKA_KEY}` } }),
  acceptedStatus: 204,
  expectUnchanged: async ({ json }) => expect(await isChirpyRed(json.data.user_id)).toBe(false),
  expectAccepted: async ({ json }, response) => {
    await expectNoContent(response);
    expect(await isChirpyRed(json.data.user_id)).toBe(true);
  },
});
