import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_SERVER_ENV } from '@/test/development-server';
import { openSecret, resolveSecretKeys, sealSecret } from './secret-box';

const OWNER = '3f1c0f2e-8f5b-4c56-9d0a-2a1f0b6c7d8e';
const OTHER = '9b2d7c1e-0a4f-4e8b-b6d3-5c7e8f9a0b1c';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const KEY_A = 'first-mfa-key-that-is-at-least-32-characters';
const KEY_B = 'second-mfa-key-that-is-at-least-32-characters';

const keys = (current: string, previous?: string) =>
  resolveSecretKeys({ NODE_ENV: 'production', MFA_ENCRYPTION_KEY: current, MFA_ENCRYPTION_KEY_PREVIOUS: previous });

describe('sealSecret and openSecret', () => {
  it('seals with AES-256-GCM: the box holds neither the secret nor the key, and opens to the secret', () => {
    const box = sealSecret(SECRET, OWNER, keys(KEY_A));

    expect(box).toMatch(/^v1\.[0-9a-f]{8}\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(box).not.toContain(SECRET);
    expect(box).not.toContain(KEY_A);
    expect(openSecret(box, OWNER, keys(KEY_A))).toEqual({ plain: SECRET, stale: false });
  });

  it('uses a fresh IV each time: the same secret never seals to the same box', () => {
    expect(sealSecret(SECRET, OWNER, keys(KEY_A))).not.toBe(sealSecret(SECRET, OWNER, keys(KEY_A)));
  });

  it('binds the box to its owner: copied to another account, it does not open', () => {
    expect(openSecret(sealSecret(SECRET, OWNER, keys(KEY_A)), OTHER, keys(KEY_A))).toBeNull();
  });

  it('refuses a box that was tampered with, or is no box at all', () => {
    const box = sealSecret(SECRET, OWNER, keys(KEY_A));
    const parts = box.split('.');
    const flipped = `${parts.slice(0, 4).join('.')}.${parts[4]?.startsWith('A') ? 'B' : 'A'}${parts[4]?.slice(1)}`;

    expect(openSecret(flipped, OWNER, keys(KEY_A))).toBeNull();
    expect(openSecret(SECRET, OWNER, keys(KEY_A))).toBeNull();
    expect(openSecret(`${box}.extra`, OWNER, keys(KEY_A))).toBeNull();
  });

  it('rotation: a box sealed under the previous key still opens, marked stale; without that key it does not', () => {
    const oldBox = sealSecret(SECRET, OWNER, keys(KEY_A));

    expect(openSecret(oldBox, OWNER, keys(KEY_B, KEY_A))).toEqual({ plain: SECRET, stale: true });
    expect(openSecret(oldBox, OWNER, keys(KEY_B))).toBeNull();
    const newBox = sealSecret(SECRET, OWNER, keys(KEY_B, KEY_A));
    expect(openSecret(newBox, OWNER, keys(KEY_B))).toEqual({ plain: SECRET, stale: false });
  });
});

describe('resolveSecretKeys', () => {
  it('refuses to run without MFA_ENCRYPTION_KEY outside next dev, saying what to set', () => {
    expect(() => resolveSecretKeys({ NODE_ENV: 'production' })).toThrow(/^MFA_ENCRYPTION_KEY is required/);
    expect(() => resolveSecretKeys({ NODE_ENV: 'production', MFA_ENCRYPTION_KEY: '  ' })).toThrow(
      /MFA_ENCRYPTION_KEY is required/,
    );
  });

  it('refuses keys shorter than 32 characters, the previous one too', () => {
    expect(() => resolveSecretKeys({ NODE_ENV: 'production', MFA_ENCRYPTION_KEY: 'short' })).toThrow(
      /^MFA_ENCRYPTION_KEY must be at least 32/,
    );
    expect(() => keys(KEY_A, 'short')).toThrow(/^MFA_ENCRYPTION_KEY_PREVIOUS must be at least 32/);
  });

  it('under next dev without a key, makes one that stays the same for the process', () => {
    const env = { NODE_ENV: 'development', ...DEVELOPMENT_SERVER_ENV, CHIRPY_DATA_DIR: 'memory:' } as const;
    const box = sealSecret(SECRET, OWNER, resolveSecretKeys(env));

    expect(openSecret(box, OWNER, resolveSecretKeys(env))).toEqual({ plain: SECRET, stale: false });
  });
});
