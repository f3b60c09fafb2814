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

export function LocalTime({ iso }: { iso: string }) {
  const clock = useSyncExternalStore(subscribe, readClock, noClock);
  const date = new Date(iso);
  if (clock === null) {
    return (
      <time dateTime={iso} title={formatUtc(date)}>
        {formatUtc(date)}
      </time>
    );
  }
  return (
    <time dateTime={iso} title={formatExact(date)}>
      {formatForReader(date, new Date(clock))}
    </time>
  );
}
