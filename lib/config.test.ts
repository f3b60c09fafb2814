import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEVELOPMENT_SERVER_ENV, environment } from '@/test/development-server';
import { getRelyingParty, getSettings, isDevelopmentServer } from './config';

describe('getSettings', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('reads a changed value afresh outside production', () => {
    vi.stubEnv('BCRYPT_COST', '11');
    expect(getSettings().BCRYPT_COST).toBe(11);
    vi.stubEnv('BCRYPT_COST', '12');
    expect(getSettings().BCRYPT_COST).toBe(12);
  });

  it('refuses an invalid value, naming the variable', () => {
    vi.stubEnv('BCRYPT_COST', '99');
    expect(() => getSettings()).toThrow(/BCRYPT_COST/);
  });

  it('keeps the first reading in production, where the environment cannot change', () => {
    vi.stubEnv('NODE_ENV', 'production');
    vi.stubEnv('SESSION_IDLE_TIMEOUT_DAYS', '9');
    const first = getSettings();
    expect(first.SESSION_IDLE_TIMEOUT_DAYS).toBe(9);
    vi.stubEnv('SESSION_IDLE_TIMEOUT_DAYS', '3');
    expect(getSettings()).toBe(first);
    // An explicit environment (a script checking another one) is always read.
    expect(getSettings({ NODE_ENV: 'production', SESSION_IDLE_TIMEOUT_DAYS: '3' }).SESSION_IDLE_TIMEOUT_DAYS).toBe(3);
  });

  it('reads DATABASE_PREPARED_STATEMENTS as on or off, on by default, and refuses anything else', () => {
    expect(getSettings().DATABASE_PREPARED_STATEMENTS).toBe(true);
    vi.stubEnv('DATABASE_PREPARED_STATEMENTS', 'Off');
    expect(getSettings().DATABASE_PREPARED_STATEMENTS).toBe(false);
    vi.stubEnv('DATABASE_PREPARED_STATEMENTS', 'true');
    expect(getSettings().DATABASE_PREPARED_STATEMENTS).toBe(true);
    vi.stubEnv('DATABASE_PREPARED_STATEMENTS', 'sometimes');
    expect(() => getSettings()).toThrow(/DATABASE_PREPARED_STATEMENTS/);
  });

  it('bounds the password-hash queue and the IPv6 prefix: defaults, limits, and the name of a bad one', () => {
    const production: NodeJS.ProcessEnv = { NODE_ENV: 'production' };
    expect(getSettings(production)).toMatchObject({ PASSWORD_HASH_QUEUE_MAX: 64, RATE_LIMIT_IPV6_PREFIX: 64 });
    expect(getSettings({ ...production, PASSWORD_HASH_QUEUE_MAX: '0' }).PASSWORD_HASH_QUEUE_MAX).toBe(0);
    expect(() => getSettings({ ...production, PASSWORD_HASH_QUEUE_MAX: '-1' })).toThrow(/PASSWORD_HASH_QUEUE_MAX/);
    expect(getSettings({ ...production, RATE_LIMIT_IPV6_PREFIX: '48' }).RATE_LIMIT_IPV6_PREFIX).toBe(48);
    expect(() => getSettings({ ...production, RATE_LIMIT_IPV6_PREFIX: '16' })).toThrow(/RATE_LIMIT_IPV6_PREFIX/);
    expect(() => getSettings({ ...production, RATE_LIMIT_IPV6_PREFIX: '129' })).toThrow(/RATE_LIMIT_IPV6_PREFIX/);
  });
});

describe('isDevelopmentServer', () => {
  it('is true under next dev, whatever NODE_ENV says', () => {
    for (const NODE_ENV of [undefined, 'development', 'production', 'staging']) {
      expect(isDevelopmentServer(environment(NODE_ENV, DEVELOPMENT_SERVER_ENV))).toBe(true);
    }
  });

  it('is false anywhere else (next start, scripts, tests), whatever NODE_ENV says, development included', () => {
    for (const NODE_ENV of [undefined, 'production', 'staging', 'test', 'development']) {
      expect(isDevelopmentServer(environment(NODE_ENV))).toBe(false);
    }
  });
});

describe('getRelyingParty: who passkeys belong to', () => {
  const production = (values: Record<string, string>) => environment('production', values);

  it('defaults both from APP_URL: its origin, and its host as the RP ID', () => {
    expect(getRelyingParty(undefined, production({ APP_URL: 'https://chirpy.example.com' }))).toEqual({
      id: 'chirpy.example.com',
      origin: 'https://chirpy.example.com',
    });
  });

  it('takes WEBAUTHN_ORIGIN and WEBAUTHN_RP_ID over APP_URL, the RP ID being the host or a parent domain', () => {
    const env = production({
      APP_URL: 'https://chirpy.example.com',
      WEBAUTHN_ORIGIN: 'https://app.chirpy.example.com',
      WEBAUTHN_RP_ID: 'Chirpy.Example.com',
    });
    expect(getRelyingParty(undefined, env)).toEqual({
      id: 'chirpy.example.com',
      origin: 'https://app.chirpy.example.com',
    });
  });

  it('refuses an RP ID the origin does not belong to, and an origin that is not http(s)', () => {
    const foreign = production({ APP_URL: 'https://chirpy.example.com', WEBAUTHN_RP_ID: 'example.org' });
    expect(() => getRelyingParty(undefined, foreign)).toThrow(/WEBAUTHN_RP_ID/);
    const suffixOnly = production({ APP_URL: 'https://notchirpy.example.com', WEBAUTHN_RP_ID: 'chirpy.example.com' });
    expect(() => getRelyingParty(undefined, suffixOnly)).toThrow(/WEBAUTHN_RP_ID/);
    expect(() => getRelyingParty(undefined, production({ WEBAUTHN_ORIGIN: 'ftp://chirpy.example.com' }))).toThrow(
      /WEBAUTHN_ORIGIN/,
    );
  });

  it("follows the request's own origin only under next dev; elsewhere, unset, passkeys are off", () => {
    const development = environment('development', DEVELOPMENT_SERVER_ENV);
    expect(getRelyingParty('http://localhost:3000', development)).toEqual({
      id: 'localhost',
      origin: 'http://localhost:3000',
    });
    expect(getRelyingParty('http://localhost:3000', production({}))).toBeNull();
    expect(getRelyingParty('https://evil.example', production({ APP_URL: 'https://chirpy.example.com' }))).toEqual({
      id: 'chirpy.example.com',
      origin: 'https://chirpy.example.com',
    });
  });
});
