import { describe, expect, it } from 'vitest';
import { isMessageCode, MESSAGES, messageText } from './messages';

describe('the message catalogue', () => {
  it('knows its codes and nothing else, not even what every object inherits', () => {
    expect(isMessageCode('incorrect_credentials')).toBe(true);
    expect(isMessageCode('Incorrect email or password')).toBe(false);
    expect(isMessageCode('toString')).toBe(false);
    expect(isMessageCode('__proto__')).toBe(false);
  });

  it('every text can be shown as it is: no placeholder left to fill', () => {
    for (const text of Object.values(MESSAGES)) expect(text).not.toMatch(/[{}]/);
  });
});

describe('messageText', () => {
  it('is the catalogue text for a code', () => {
    expect(messageText('email_taken')).toBe('Email is already registered');
    expect(messageText('rate_limited')).toBe(MESSAGES.rate_limited);
  });

  it.each([
    [1, 'Too many attempts. Try again in 1 minute.'],
    [60, 'Too many attempts. Try again in 1 minute.'],
    [61, 'Too many attempts. Try again in 2 minutes.'],
    [900, 'Too many attempts. Try again in 15 minutes.'],
  ])('rate_limited with a wait of %i s: %s', (retryAfterSeconds, text) => {
    expect(messageText('rate_limited', { retryAfterSeconds })).toBe(text);
  });

  it('ignores a wait for codes that have none', () => {
    expect(messageText('incorrect_credentials', { retryAfterSeconds: 120 })).toBe('Incorrect email or password');
  });
});
