import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEVELOPMENT_SERVER_ENV, environment } from '@/test/development-server';
import { errorOf } from '@/test/fixtures';
import { ConfigurationError, resolveJwtSecrets } from './jwt-secret';

const GOOD_SECRET = 'a'.repeat(32);

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'chirpy-jwt-secret-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

/** An environment as the app would read it; the development server's unless said otherwise. */
function env(values: Partial<NodeJS.ProcessEnv>): NodeJS.ProcessEnv {
  return { ...DEVELOPMENT_SERVER_ENV, NODE_ENV: 'development', ...values };
}

describe('resolveJwtSecrets', () => {
  it('uses JWT_SECRET when it is set', () => {
    expect(resolveJwtSecrets(env({ NODE_ENV: 'production', JWT_SECRET: GOOD_SECRET }))).toStrictEqual({
      current: GOOD_SECRET,
      previous: undefined,
    });
  });

  it.each([
    ['unset', undefined],
    ['blank', '   '],
  ])(
    'refuses to run outside next dev with JWT_SECRET %s, whatever NODE_ENV says, saying what to set',
    (_label, secret) => {
      for (const NODE_ENV of ['production', 'staging', 'test', 'development']) {
        const error = errorOf(() =>
          resolveJwtSecrets(environment(NODE_ENV, { JWT_SECRET: secret, CHIRPY_DATA_DIR: dataDir })),
        );

        expect(error).toBeInstanceOf(ConfigurationError);
        expect(error).toHaveProperty('message', expect.stringMatching(/^JWT_SECRET is required/));
        expect(error).toHaveProperty('message', expect.stringContaining('openssl rand -hex 32'));
        expect(() => statSync(join(dataDir, 'jwt-secret'))).toThrow(/ENOENT/);
      }
    },
  );

  it('refuses a JWT_SECRET shorter than 32 characters, in any environment', () => {
    for (const NODE_ENV of ['production', 'development'] as const) {
      const error = errorOf(() => resolveJwtSecrets({ NODE_ENV, JWT_SECRET: 'a'.repeat(31) }));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error).toHaveProperty('message', expect.stringMatching(/JWT_SECRET must be at least 32 characters/));
    }
  });

  it('accepts a JWT_SECRET_PREVIOUS for rotation, and refuses a short one', () => {
    const previous = 'b'.repeat(32);
    expect(resolveJwtSecrets(env({ JWT_SECRET: GOOD_SECRET, JWT_SECRET_PREVIOUS: previous }))).toStrictEqual({
      current: GOOD_SECRET,
      previous,
    });

    const error = errorOf(() => resolveJwtSecrets(env({ JWT_SECRET: GOOD_SECRET, JWT_SECRET_PREVIOUS: 'short' })));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toHaveProperty('message', expect.stringContaining('JWT_SECRET_PREVIOUS'));
  });

  it('under next dev without JWT_SECRET, generates one into <data dir>/jwt-secret and keeps using it', () => {
    const devEnv = env({ CHIRPY_DATA_DIR: dataDir });

    const first = resolveJwtSecrets(devEnv);
    const second = resolveJwtSecrets(devEnv);

    expect(first.current).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toStrictEqual(first);
    const file = join(dataDir, 'jwt-secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.current);
    // Only the owner may read it.
    expect(statSync(file).mode & 0o077).toBe(0);
  });

  it('creates the data folder if it does not exist yet', () => {
    const nested = join(dataDir, 'not', 'yet');

    const { current } = resolveJwtSecrets(env({ CHIRPY_DATA_DIR: nested }));

    expect(readFileSync(join(nested, 'jwt-secret'), 'utf8').trim()).toBe(current);
  });

  it('under next dev, reads a secret already kept in the data folder', () => {
    const kept = 'c'.repeat(64);
    writeFileSync(join(dataDir, 'jwt-secret'), `${kept}\n`);

    expect(resolveJwtSecrets(env({ CHIRPY_DATA_DIR: dataDir })).current).toBe(kept);
  });

  it('under next dev, refuses a kept secret that is too short rather than use it', () => {
    writeFileSync(join(dataDir, 'jwt-secret'), 'short\n');

    expect(() => resolveJwtSecrets(env({ CHIRPY_DATA_DIR: dataDir }))).toThrow(ConfigurationError);
  });

  it('never writes a file when JWT_SECRET is set', () => {
    resolveJwtSecrets(env({ JWT_SECRET: GOOD_SECRET, CHIRPY_DATA_DIR: dataDir }));

    expect(() => statSync(join(dataDir, 'jwt-secret'))).toThrow(/ENOENT/);
  });
});
