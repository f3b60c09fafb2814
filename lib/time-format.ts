/**
 * How the timeline writes a chirp's time. No server-only import: the reader's browser formats it
 * in the reader's time zone; the server, which does not know that zone, writes UTC.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * What the server renders, and what a reader without JavaScript sees: `2026-01-05 14:03 UTC`,
 * cut from the instant as `Date.prototype.toISOString` writes it, which is already UTC: no Date
 * is made for each time a page shows.
 */
export function formatUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** "just now", "5 min ago", "3 h ago" for the last day; null for anything older (or in the future). */
export function relativeAge(date: Date, now: Date): string | null {
  const age = now.getTime() - date.getTime();
  // A little clock skew between server and reader should still read as "just now".
  if (age < -MINUTE || age >= DAY) return null;
  if (age < MINUTE) return 'just now';
  if (age < HOUR) return `${Math.floor(age / MINUTE)} min ago`;
  return `${Math.floor(age / HOUR)} h ago`;
}

type Zone = { timeZone?: string; locale?: string };

/** The exact local time, for the hover title: `Jan 5, 2026, 3:03:27 PM`. */
export function formatExact(date: Date, zone: Zone = {}): string {
  return new Intl.DateTimeFormat(zone.locale, {
    dateStyle: 'medium',
    timeStyle: 'medium',
    timeZone: zone.timeZone,
  }).format(date);
}

/** What the reader sees: how long ago for recent chirps, the local date and time for older ones. */
export function formatForReader(date: Date, now: Date, zone: Zone = {}): string {
  return (
    relativeAge(date, now) ??
    new Intl.DateTimeFormat(zone.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: zone.timeZone }).format(
      date,
    )
  );
}
