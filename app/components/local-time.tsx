'use client';

import { useSyncExternalStore } from 'react';
import { formatExact, formatForReader, formatUtc } from '@/lib/time-format';

/**
 * One clock for every time on the page, ticking twice a minute so "5 min ago" stays true. On the
 * server, and in the browser until hydration, there is no clock: the time is written in UTC,
 * which is also what a reader without JavaScript keeps.
 */
const TICK_MS = 30_000;
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === undefined) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const notify of listeners) notify();
    }, TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

const readClock = () => now;
const noClock = () => null;

/** The page's clock in milliseconds, or null where there is none (the server, before hydration). */
export function useClock(): number | null {
  return useSyncExternalStore(subscribe, readClock, noClock);
}

/**
 * A time as `clock` (from useClock) allows: a list of many times reads the clock once and passes
 * it to each, rather than each time subscribing to it.
 */
export function TimeOf({ iso, clock }: { iso: string; clock: number | null }) {
  if (clock === null) {
    // The text is already the exact time (in UTC): a title saying it again would add nothing.
    return <time dateTime={iso}>{formatUtc(iso)}</time>;
  }
  const date = new Date(iso);
  return (
    <time dateTime={iso} title={formatExact(date)}>
      {formatForReader(date, new Date(clock))}
    </time>
  );
}

export function LocalTime({ iso }: { iso: string }) {
  return <TimeOf iso={iso} clock={useClock()} />;
}
