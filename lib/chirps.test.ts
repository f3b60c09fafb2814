import { describe, expect, it } from 'vitest';
import { censorChirp, decodeCursor, encodeCursor, findAuthor, listTimeline } from './chirps';
import { getDb } from './db/client';
import { chirps, users } from './db/schema';

describe('censorChirp', () => {
  it('replaces each profane word, in any case, with ****', () => {
    expect(censorChirp('I had a Kerfuffle with SHARBERT and fornax today')).toBe(
      'I had a **** with **** and **** today',
    );
  });

  it('leaves words with punctuation attached as they are', () => {
    expect(censorChirp('Kerfuffle! sharbert, fornax.')).toBe('Kerfuffle! sharbert, fornax.');
  });

  it('splits on single spaces only, keeping runs of spaces', () => {
    expect(censorChirp('a  kerfuffle')).toBe('a  ****');
  });
});

describe('encodeCursor / decodeCursor', () => {
  const position = { createdAt: '2026-02-01T09:00:00.000123Z', id: '0b7e3c52-8d1a-4f6e-a2c9-5e4d3b2a1f00' };

  it('round-trips a position, microseconds included, through an opaque URL-safe string', () => {
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it('reads nothing from what it did not write', () => {
    expect(decodeCursor('')).toBeNull();
    expect(decodeCursor('a+b/c=')).toBeNull();
    expect(decodeCursor('x'.repeat(201))).toBeNull();
    expect(decodeCursor(Buffer.from('2026-02-01/abc').toString('base64url'))).toBeNull();
  });
});

describe('listTimeline', () => {
  async function author(email: string, chirpyRed = false): Promise<string> {
    const db = await getDb();
    const [row] = await db
      .insert(users)
      .values({ email, hashedPassword: 'not a real hash', isChirpyRed: chirpyRed })
      .returning({ id: users.id });
    if (!row) throw new Error('no user inserted');
    return row.id;
  }

  async function post(userId: string, body: string, minute: number): Promise<void> {
    const db = await getDb();
    await db.insert(chirps).values({ userId, body, createdAt: new Date(Date.UTC(2026, 0, 1, 12, minute)) });
  }

  it('names each author by the part of their address before the @, never the address, with their Chirpy Red flag', async () => {
    const ada = await author('ada.lovelace@example.com', true);
    const bob = await author('bob@example.org');
    await post(ada, 'first', 1);
    await post(bob, 'second', 2);

    const page = await listTimeline({ limit: 10 });

    expect(
      page.chirps.map(({ body, authorId, authorName, authorIsChirpyRed }) => ({
        body,
        authorId,
        authorName,
        authorIsChirpyRed,
      })),
    ).toEqual([
      { body: 'second', authorId: bob, authorName: 'bob', authorIsChirpyRed: false },
      { body: 'first', authorId: ada, authorName: 'ada.lovelace', authorIsChirpyRed: true },
    ]);
    expect(page.chirps.map((chirp) => chirp.createdAt)).toEqual([
      new Date(Date.UTC(2026, 0, 1, 12, 2)).toISOString(),
      new Date(Date.UTC(2026, 0, 1, 12, 1)).toISOString(),
    ]);
    expect(JSON.stringify(page)).not.toContain('@');
    expect(page.next).toBeNull();
  });

  it('pages newest first, one author or everyone, each chirp once', async () => {
    const ada = await author('ada@example.com');
    const bob = await author('bob@example.com');
    for (let minute = 0; minute < 7; minute++) await post(minute % 2 ? ada : bob, `chirp ${minute}`, minute);

    const first = await listTimeline({ limit: 3 });
    const second = await listTimeline({ limit: 3, cursor: decodeCursor(first.next ?? '') ?? undefined });
    const third = await listTimeline({ limit: 3, cursor: decodeCursor(second.next ?? '') ?? undefined });
    const bodies = [first, second, third].flatMap((page) => page.chirps.map((chirp) => chirp.body));
    expect(bodies).toEqual(['chirp 6', 'chirp 5', 'chirp 4', 'chirp 3', 'chirp 2', 'chirp 1', 'chirp 0']);
    expect(third.next).toBeNull();

    const hers = await listTimeline({ authorId: ada, limit: 10 });
    expect(hers.chirps.map((chirp) => chirp.body)).toEqual(['chirp 5', 'chirp 3', 'chirp 1']);
  });
});

describe('findAuthor', () => {
  it('gives the public face of an author, and null for an unknown id', async () => {
    const db = await getDb();
    const [row] = await db
      .insert(users)
      .values({ email: 'grace@example.com', hashedPassword: 'not a real hash' })
      .returning({ id: users.id });
    if (!row) throw new Error('no user inserted');

    expect(await findAuthor(row.id)).toEqual({ id: row.id, name: 'grace', isChirpyRed: false });
    expect(await findAuthor('0b7e3c52-8d1a-4f6e-a2c9-5e4d3b2a1f00')).toBeNull();
  });
});
