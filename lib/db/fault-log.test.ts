import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { logDatabaseUnavailable, logFault, OUTAGE_SUMMARY_INTERVAL_MS, resetOutageLog } from './fault-log';

let lines: string[];

beforeEach(() => {
  vi.useFakeTimers();
  resetOutageLog();
  lines = [];
  vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => {
    lines.push(parts.map(String).join(' '));
  });
});

afterEach(() => {
  resetOutageLog();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('logging an outage', () => {
  it('logs the first failure at once, then one summary line per interval instead of a line per request', () => {
    for (let request = 0; request < 100; request++) logDatabaseUnavailable('POST /api/chirps', 'ECONNREFUSED');
    expect(lines).toEqual([expect.stringContaining('POST /api/chirps: database unavailable (ECONNREFUSED)')]);

    vi.advanceTimersByTime(OUTAGE_SUMMARY_INTERVAL_MS);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('database unavailable: 99 more failed requests in the last 10 s (ECONNREFUSED)');

    for (let request = 0; request < 5; request++) logDatabaseUnavailable('GET /api/me', 'Connection terminated');
    vi.advanceTimersByTime(OUTAGE_SUMMARY_INTERVAL_MS);
    expect(lines[2]).toBe('database unavailable: 5 more failed requests in the last 10 s (Connection terminated)');
  });

  it('starts afresh after a quiet interval: the next outage is logged at once', () => {
    logDatabaseUnavailable('GET /api/me', 'ECONNREFUSED');
    vi.advanceTimersByTime(2 * OUTAGE_SUMMARY_INTERVAL_MS);
    logDatabaseUnavailable('GET /api/me', 'ECONNRESET');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('database unavailable (ECONNRESET)');
  });

  it('keeps each line to one line: no stack trace for an outage', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(logFault('GET /api/healthz', error)).toBe('unavailable');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
  });

  it('gives an unexpected error its stack frames, and not its message', () => {
    expect(logFault('GET /api/me', new TypeError('secret-looking message'))).toBe('unexpected');
    expect(lines[0]).toContain('GET /api/me: unexpected error: TypeError');
    expect(lines[0]).toContain('    at ');
    expect(lines[0]).not.toContain('secret-looking message');
  });
});
