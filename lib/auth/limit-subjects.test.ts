import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { emailAtAddressSubject, emailSubject, normalizeEmail } from './limit-subjects';

const HERE = { ip: '203.0.113.5', userAgent: null };

describe('normalizeEmail', () => {
  it('folds compatibility characters, trims and lower-cases', () => {
    expect(normalizeEmail('  Ada@Example.COM ')).toBe('ada@example.com');
    expect(normalizeEmail('ＡＤＡ@ｅｘａｍｐｌｅ.ｃｏｍ')).toBe('ada@example.com');
    // An ideographic space is a space once folded, and trimmed like one.
    expect(normalizeEmail('\u3000ada@example.com\u3000')).toBe('ada@example.com');
  });
});

describe('emailSubject and emailAtAddressSubject', () => {
  it('name an address without keeping what was typed, whatever its spelling', () => {
    const subject = emailSubject('ada@example.com');

    expect(subject).toMatch(/^[0-9a-f]{64}$/);
    expect(subject).not.toContain('ada');
    expect(emailSubject('  Ada@Example.COM ')).toBe(subject);
    expect(emailSubject('ａｄａ@ｅｘａｍｐｌｅ.ｃｏｍ')).toBe(subject);
    expect(emailSubject('bob@example.com')).not.toBe(subject);
  });

  it('are keyed: not the SHA-256 of the address, and another secret gives another subject', () => {
    const subject = emailSubject('ada@example.com');
    expect(subject).not.toBe(createHash('sha256').update('ada@example.com').digest('hex'));

    vi.stubEnv('JWT_SECRET', 'another-secret-that-is-at-least-32-characters');

    expect(emailSubject('ada@example.com')).not.toBe(subject);
  });

  it('per address: one account from two networks is two subjects, and neither is the account alone', () => {
    const here = emailAtAddressSubject('Ada@example.com', HERE);

    expect(emailAtAddressSubject('ada@example.com', HERE)).toBe(here);
    expect(emailAtAddressSubject('ada@example.com', { ...HERE, ip: '203.0.113.6' })).not.toBe(here);
    expect(here).not.toBe(emailSubject('ada@example.com'));
  });
});
