import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiSession, chirp, rowCounts, withDatabaseDown } from '@/test/fixtures';
import { expectError, jsonOf, makeRequest } from '@/test/http';
import { POST } from './route';

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Two users, each with a chirp and a refresh token. */
async function populate(): Promise<void> {
  for (const session of [await apiSession(), await apiSession()]) await chirp(session.token, 'hello');
  expect(await rowCounts()).toStrictEqual({ users: 2, chirps: 2, refreshTokens: 2 });
}

describe('POST /admin/reset', () => {
  it('with PLATFORM=dev answers 200 and deletes every user, their chirps and refresh tokens with them', async () => {
    await populate();
    vi.stubEnv('PLATFORM', 'dev');

    expect(await jsonOf(await POST(makeRequest('POST', '/admin/reset')))).toStrictEqual({
      status: 200,
      body: { deleted_users: 2 },
    });
    expect(await rowCounts()).toStrictEqual({ users: 0, chirps: 0, refreshTokens: 0 });
  });

  it('with PLATFORM=dev and nothing to delete answers 200', async () => {
    vi.stubEnv('PLATFORM', 'dev');

    expect(await jsonOf(await POST(makeRequest('POST', '/admin/reset')))).toStrictEqual({
      status: 200,
      body: { deleted_users: 0 },
    });
  });

  it.each([
    ['unset', undefined],
    ['empty', ''],
    ['production', 'production'],
    ['DEV in capitals', 'DEV'],
  ])('with PLATFORM %s answers 403 and deletes nothing', async (_label, platform) => {
    await populate();
    vi.stubEnv('PLATFORM', platform);

    expect(await expectError(await POST(makeRequest('POST', '/admin/reset')), 403)).toBe(
      'Reset is only allowed when PLATFORM=dev',
    );
    expect(await rowCounts()).toStrictEqual({ users: 2, chirps: 2, refreshTokens: 2 });
  });

  it('answers 503 when the database is down', async () => {
    vi.stubEnv('PLATFORM', 'dev');

    await withDatabaseDown(async () => {
      expect(await jsonOf(await POST(makeRequest('POST', '/admin/reset')))).toStrictEqual({
        status: 503,
        body: { error: 'Service unavailable: the database is not answering' },
      });
    });
  });
});
