import { describe, expect, it } from 'vitest';
import { formatExact, formatForReader, formatUtc, relativeAge } from './time-format';

const NOW = new Date('2026-03-10T15:00:00.000Z');
const ago = (milliseconds: number) => new Date(NOW.getTime() - milliseconds);
const MINUTE = 60_000;

describe('formatUtc (what readers without JavaScript see)', () => {
  it('writes the minute in UTC, and says so', () => {
    expect(formatUtc(new Date('2026-01-05T14:03:59.999Z').toISOString())).toBe('2026-01-05 14:03 UTC');
  });
});

describe('relativeAge', () => {
  it.each([
    [0, 'just now'],
    [59_999, 'just now'],
    [MINUTE, '1 min ago'],
    [5 * MINUTE + 30_000, '5 min ago'],
    [59 * MINUTE, '59 min ago'],
    [60 * MINUTE, '1 h ago'],
    [23 * 60 * MINUTE + 59 * MINUTE, '23 h ago'],
  ])('%i ms ago: %s', (milliseconds, text) => {
    expect(relativeAge(ago(milliseconds), NOW)).toBe(text);
  });

  it('says nothing for a day or more, nor for a time well in the future', () => {
    expect(relativeAge(ago(24 * 60 * MINUTE), NOW)).toBeNull();
    expect(relativeAge(ago(-2 * MINUTE), NOW)).toBeNull();
  });

  it('reads a little clock skew (the reader a few seconds behind) as just now', () => {
    expect(relativeAge(ago(-10_000), NOW)).toBe('just now');
  });
});

describe('formatForReader and formatExact, in the reader’s zone', () => {
  const old = new Date('2026-01-05T23:30:00.000Z');

  it('an older chirp shows its local date and time: the same instant is another day in Tokyo', () => {
    expect(formatForReader(old, NOW, { locale: 'en-US', timeZone: 'UTC' })).toBe('Jan 5, 2026, 11:30 PM');
    expect(formatForReader(old, NOW, { locale: 'en-US', timeZone: 'Asia/Tokyo' })).toBe('Jan 6, 2026, 8:30 AM');
  });

  it('a recent chirp shows how long ago, whatever the zone', () => {
    expect(formatForReader(ago(5 * MINUTE), NOW, { locale: 'en-US', timeZone: 'Asia/Tokyo' })).toBe('5 min ago');
  });

  it('the hover title is exact to the second, in the reader’s zone', () => {
    expect(formatExact(old, { locale: 'en-US', timeZone: 'America/New_York' })).toBe('Jan 5, 2026, 6:30:00 PM');
  });
});
