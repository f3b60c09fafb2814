import { afterEach, describe, expect, it, vi } from 'vitest';
import { getSettings } from './config';

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
});
