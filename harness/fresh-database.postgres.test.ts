import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  createFreshDatabase,
  createFreshDataDir,
  databaseEnvironment,
  dropDatabase,
  removeFreshDatabase,
  withConnection,
} from './fresh-database';

const adminUrl = inject('adminDatabaseUrl');
const SEVEN_HOURS_MS = 7 * 60 * 60 * 1000;

async function databaseNames(prefix: string): Promise<string[]> {
  const { rows } = await withConnection(adminUrl, (client) =>
    client.query<{ datname: string }>('select datname from pg_database where starts_with(datname, $1)', [prefix]),
  );
  return rows.map((row) => row.datname);
}

describe('a fresh PostgreSQL database', () => {
  it('is empty, named for its purpose, reached by its URL, and gone once removed', async () => {
    const database = await createFreshDatabase(adminUrl, 'bench');
    expect(database.name).toMatch(/^chirpy_bench_\d+_[0-9a-f]{8}$/);
    const { rows } = await withConnection(database.url, (client) =>
      client.query<{ name: string; tables: number }>(
        "select current_database() as name, (select count(*)::int from information_schema.tables where table_schema = 'public') as tables",
      ),
    );
    expect(rows).toEqual([{ name: database.name, tables: 0 }]);
    expect(databaseEnvironment(database)).toEqual({ DATABASE_URL: database.url });
    await removeFreshDatabase(database);
    expect(await databaseNames(database.name)).toEqual([]);
  });

  it("drops its own kind's leftovers from over six hours ago, and nothing else", async () => {
    const old = `chirpy_bench_${Date.now() - SEVEN_HOURS_MS}_0000aaaa`;
    const recent = `chirpy_bench_${Date.now() - 60_000}_0000bbbb`;
    const otherKind = `chirpy_test_${Date.now() - SEVEN_HOURS_MS}_0000cccc`;
    await withConnection(adminUrl, async (client) => {
      for (const name of [old, recent, otherKind]) await client.query(`create database ${name}`);
    });
    const fresh = await createFreshDatabase(adminUrl, 'bench');
    try {
      const left = await databaseNames('chirpy_');
      expect(left).not.toContain(old);
      expect(left).toEqual(expect.arrayContaining([recent, otherKind, fresh.name]));
    } finally {
      for (const name of [old, recent, otherKind, fresh.name]) await dropDatabase(adminUrl, name);
    }
  });
});

describe('a fresh embedded data folder', () => {
  const parent = mkdtempSync(join(tmpdir(), 'chirpy-harness-'));
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('is an empty folder of its own, and gone once removed', async () => {
    const first = createFreshDataDir(parent);
    const second = createFreshDataDir(parent);
    expect(first.dataDir).not.toBe(second.dataDir);
    expect(readdirSync(first.dataDir)).toEqual([]);
    expect(databaseEnvironment(first)).toEqual({ CHIRPY_DATA_DIR: first.dataDir });
    await removeFreshDatabase(first);
    expect(existsSync(first.dataDir)).toBe(false);
    expect(existsSync(second.dataDir)).toBe(true);
  });
});
