import { describe, expect, it } from 'vitest';
import { checkConfiguration } from './startup';

const SECRET = 'a-production-secret-of-at-least-32-characters';
const NEON_URL = 'postgres://user:pw@ep-example-pooler.us-east-1.aws.neon.tech/chirpy';

describe('checkConfiguration', () => {
  it('accepts a complete Vercel configuration', () => {
    expect(() =>
      checkConfiguration({ NODE_ENV: 'production', VERCEL: '1', JWT_SECRET: SECRET, POSTGRES_URL: NEON_URL }),
    ).not.toThrow();
  });

  it('refuses to start on Vercel without a database URL', () => {
    expect(() => checkConfiguration({ NODE_ENV: 'production', VERCEL: '1', JWT_SECRET: SECRET })).toThrow(
      /^No database configured on Vercel: set POSTGRES_URL/,
    );
    expect(() =>
      checkConfiguration({ NODE_ENV: 'production', VERCEL: '1', JWT_SECRET: SECRET, POSTGRES_URL: '' }),
    ).toThrow(/No database configured on Vercel/);
  });

  it('refuses to start in production without JWT_SECRET', () => {
    expect(() => checkConfiguration({ NODE_ENV: 'production', VERCEL: '1', POSTGRES_URL: NEON_URL })).toThrow(
      /JWT_SECRET is required when NODE_ENV=production/,
    );
    expect(() => checkConfiguration({ NODE_ENV: 'production', CHIRPY_DATA_DIR: 'memory:', JWT_SECRET: ' ' })).toThrow(
      /JWT_SECRET is required/,
    );
  });

  it('runs without JWT_SECRET outside production, on a development secret', () => {
    expect(() => checkConfiguration({ NODE_ENV: 'development', CHIRPY_DATA_DIR: 'memory:' })).not.toThrow();
  });

  it('lets a production build run on the embedded database off Vercel', () => {
    expect(() =>
      checkConfiguration({ NODE_ENV: 'production', JWT_SECRET: SECRET, CHIRPY_DATA_DIR: 'memory:' }),
    ).not.toThrow();
  });
});
