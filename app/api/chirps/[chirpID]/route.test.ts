import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db/client';
import { chirps } from '@/lib/db/schema';
import { apiSession, chirp, rowCounts, withDatabaseDown } from '@/test/fixtures';
import { expectError, expectNoContent, jsonOf, makeRequest, params } from '@/test/http';
import { DELETE, GET } from './route';

const UNKNOWN_ID = '6f1d9a52-3c4b-4e8f-9a7d-2b5c8e1f0a3d';

const MALFORMED_IDS = [
  ['a word', 'latest'],
  ['a number', '42'],
  ['a UUID with a character too many', '6f1d9a52-3c4b-4e8f-9a7d-2b5c8e1f0a3dd'],
  ['a UUID with a non-hex character', '6f1d9a52-3c4b-4e8f-9a7d-2b5c8e1f0a3g'],
  ['a UUID without dashes', '6f1d9a523c4b4e8f9a7d2b5c8e1f0a3d'],
  ['SQL', "' OR 1=1 --"],
] as const;

function getChirp(chirpID: string) {
  return GET(makeRequest('GET', `/api/chirps/${encodeURIComponent(chirpID)}`), params({ chirpID }));
}

function deleteChirp(chirpID: string, token?: string) {
  const request = makeRequest('DELETE', `/api/chirps/${encodeURIComponent(chirpID)}`, token ? { bearer: token } : {});
  return DELETE(request, params({ chirpID }));
}

async function chirpExists(id: string): Promise<boolean> {
  const db = await getDb();
  return (await db.select({ id: chirps.id }).from(chirps).where(eq(chirps.id, id))).length === 1;
}

/** The author of the only chirp asks to delete `chirpID`: the refusal's message, the chirp kept. */
async function refusedDeletion(chirpID: string, status: number): Promise<string> {
  const session = await apiSession();
  await chirp(session.token, 'still here');
  const message = await expectError(await deleteChirp(chirpID, session.token), status);
  expect((await rowCounts()).chirps).toBe(1);
  return message;
}

describe('GET /api/chirps/{chirpID}', () => {
  it('answers 200 with the chirp, exactly as it was when created', async () => {
    const session = await apiSession();
    const created = await chirp(session.token, 'find me');

    expect(await jsonOf(await getChirp(created.id))).toStrictEqual({ status: 200, body: created });
  });

  it('answers 404 for an id no chirp has', async () => {
    const session = await apiSession();
    await chirp(session.token, 'not this one');

    expect(await expectError(await getChirp(UNKNOWN_ID), 404)).toBe('Chirp not found');
  });

  it.each(MALFORMED_IDS)('answers 400 to %s as the id', async (_label, chirpID) => {
    expect(await expectError(await getChirp(chirpID), 400)).toBe('Chirp id must be a UUID');
  });

  it.each([
    ['the nil UUID', '00000000-0000-0000-0000-000000000000'],
    ['a UUID of no RFC version', '12345678-1234-1234-1234-123456789012'],
    ['an upper-case UUID', UNKNOWN_ID.toUpperCase()],
  ])('answers 404, not 400, to %s: it is well-formed, just no chirp has it', async (_label, chirpID) => {
    expect(await expectError(await getChirp(chirpID), 404)).toBe('Chirp not found');
  });

  it('answers 503 when the database is down', async () => {
    await withDatabaseDown(async () => {
      expect((await getChirp(UNKNOWN_ID)).status).toBe(503);
    });
  });
});

describe('DELETE /api/chirps/{chirpID}', () => {
  it("answers 204 with an empty body to the author and the chirp is gone; others' chirps stay", async () => {
    const session = await apiSession();
    const doomed = await chirp(session.token, 'delete me');
    const kept = await chirp(session.token, 'keep me');

    await expectNoContent(await deleteChirp(doomed.id, session.token));

    expect(await chirpExists(doomed.id)).toBe(false);
    expect(await chirpExists(kept.id)).toBe(true);
    expect((await getChirp(doomed.id)).status).toBe(404);
  });

  it("answers 403 to someone else's chirp and keeps it", async () => {
    const author = await apiSession();
    const stranger = await apiSession();
    const created = await chirp(author.token, 'mine');

    expect(await expectError(await deleteChirp(created.id, stranger.token), 403)).toBe(
      'You can only delete your own chirps',
    );
    expect(await chirpExists(created.id)).toBe(true);
  });

  it('answers 401 without an access token and keeps the chirp', async () => {
    const session = await apiSession();
    const created = await chirp(session.token, 'mine');

    await expectError(await deleteChirp(created.id), 401);
    await expectError(await deleteChirp(created.id, session.refreshToken), 401);
    expect(await chirpExists(created.id)).toBe(true);
  });

  it('answers 404 for an id no chirp has', async () => {
    expect(await refusedDeletion(UNKNOWN_ID, 404)).toBe('Chirp not found');
  });

  it('answers 404 the second time the same chirp is deleted', async () => {
    const session = await apiSession();
    const created = await chirp(session.token, 'once');
    await expectNoContent(await deleteChirp(created.id, session.token));

    await expectError(await deleteChirp(created.id, session.token), 404);
  });

  it.each(MALFORMED_IDS)('answers 400 to %s as the id and deletes nothing', async (_label, chirpID) => {
    expect(await refusedDeletion(chirpID, 400)).toBe('Chirp id must be a UUID');
  });

  it('answers 503 when the database is down, and the chirp survives', async () => {
    const session = await apiSession();
    const created = await chirp(session.token, 'survivor');

    await withDatabaseDown(async () => {
      expect(await jsonOf(await deleteChirp(created.id, session.token))).toStrictEqual({
        status: 503,
        body: { error: 'Service unavailable: the database is not answering' },
      });
    });
    expect(await chirpExists(created.id)).toBe(true);
  });
});
