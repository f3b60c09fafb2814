import { describe, expect, it } from 'vitest';
import { selectDriver } from './client';

/** An environment holding only what a test names (NODE_ENV aside), so the runner's own leaks nothing in. */
function env(vars: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { NODE_ENV: 'production', ...vars };
}

const NEON_URL = 'postgres://user:pw@ep-example-pooler.us-east-1.aws.neon.tech/chirpy';
const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/chirpy';

describe('selectDriver', () => {
  it('uses @vercel/postgres on Vercel with POSTGRES_URL', () => {
    expect(selectDriver(env({ VERCEL: '1', POSTGRES_URL: NEON_URL }))).toEqual({
      ok: true,
      choice: { driver: 'vercel-postgres', url: NEON_URL },
    });
  });

  it('prefers POSTGRES_URL to DATABASE_URL on Vercel', () => {
    expect(selectDriver(env({ VERCEL: '1', POSTGRES_URL: NEON_URL, DATABASE_URL: LOCAL_URL }))).toEqual({
      ok: true,
      choice: { driver: 'vercel-postgres', url: NEON_URL },
    });
  });

  it('uses pg for DATABASE_URL, on Vercel or off it', () => {
    const pg = { ok: true, choice: { driver: 'pg', url: LOCAL_URL } };
    expect(selectDriver(env({ DATABASE_URL: LOCAL_URL }))).toEqual(pg);
    expect(selectDriver(env({ VERCEL: '1', DATABASE_URL: LOCAL_URL }))).toEqual(pg);
  });

  it('reads POSTGRES_URL only on Vercel', () => {
    expect(selectDriver(env({ POSTGRES_URL: NEON_URL, DATABASE_URL: LOCAL_URL }))).toEqual({
      ok: true,
      choice: { driver: 'pg', url: LOCAL_URL },
    });
    expect(selectDriver(env({ POSTGRES_URL: NEON_URL }))).toEqual({
      ok: true,
      choice: { driver: 'pglite', dataDir: '.data' },
    });
  });

  it('falls back to the embedded database in CHIRPY_DATA_DIR, or .data', () => {
    expect(selectDriver(env({ CHIRPY_DATA_DIR: '/var/chirpy' }))).toEqual({
      ok: true,
      choice: { driver: 'pglite', dataDir: '/var/chirpy' },
    });
    expect(selectDriver(env())).toEqual({ ok: true, choice: { driver: 'pglite', dataDir: '.data' } });
  });

  it('refuses the embedded database on Vercel, saying what to set', () => {
    const selection = selectDriver(env({ VERCEL: '1', CHIRPY_DATA_DIR: '/tmp/chirpy' }));
    expect(selection.ok).toBe(false);
    if (selection.ok) return;
    expect(selection.error).toMatch(/^No database configured on Vercel: set POSTGRES_URL/);
    expect(selection.error).toContain('DATABASE_URL');
  });

  it('counts blank values as unset', () => {
    expect(selectDriver(env({ VERCEL: '1', POSTGRES_URL: ' ', DATABASE_URL: '' })).ok).toBe(false);
    expect(selectDriver(env({ VERCEL: '', POSTGRES_URL: NEON_URL, DATABASE_URL: '  ', CHIRPY_DATA_DIR: '' }))).toEqual({
      ok: true,
      choice: { driver: 'pglite', dataDir: '.data' },
    });
    expect(selectDriver(env({ VERCEL: ' ', DATABASE_URL: LOCAL_URL }))).toEqual({
      ok: true,
      choice: { driver: 'pg', url: LOCAL_URL },
    });
  });
});
