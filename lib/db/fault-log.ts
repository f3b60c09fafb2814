import 'server-only';
import { databaseUnavailableCause, describeError } from './errors';

/**
 * How faults reach the operator. An outage fails every request at once: a line (let alone a stack
 * trace) per request buried the log under tens of thousands of lines for a ten-second cut. So the
 * first failure of an outage is logged at once with its cause, later ones are counted and summed up
 * in one line per interval, and only unexpected errors (bugs) get their stack frames.
 */

export const OUTAGE_SUMMARY_INTERVAL_MS = 10_000;

type OutageLog = { suppressed: number; cause: string; timer: ReturnType<typeof setTimeout> | null };

// On globalThis: the proxy and the route handlers may each evaluate this module.
const holder = globalThis as typeof globalThis & { chirpyOutageLog?: OutageLog };

function outageLog(): OutageLog {
  holder.chirpyOutageLog ??= { suppressed: 0, cause: '', timer: null };
  return holder.chirpyOutageLog;
}

function flushSummary(): void {
  const log = outageLog();
  log.timer = null;
  if (log.suppressed === 0) return;
  const seconds = OUTAGE_SUMMARY_INTERVAL_MS / 1000;
  console.error(`database unavailable: ${log.suppressed} more failed requests in the last ${seconds} s (${log.cause})`);
  log.suppressed = 0;
  // Keep summarising while failures go on; the interval after the last one ends quietly.
  log.timer = setTimeout(flushSummary, OUTAGE_SUMMARY_INTERVAL_MS);
  log.timer.unref?.();
}

export function logDatabaseUnavailable(where: string, cause: string): void {
  const log = outageLog();
  log.cause = cause;
  if (log.timer !== null) {
    log.suppressed += 1;
    return;
  }
  console.error(
    `${where}: database unavailable (${cause}); further failures are summed up every ${OUTAGE_SUMMARY_INTERVAL_MS / 1000} s`,
  );
  log.timer = setTimeout(flushSummary, OUTAGE_SUMMARY_INTERVAL_MS);
  log.timer.unref?.();
}

export type Fault = 'unavailable' | 'unexpected';

/** Logs a thrown error the way its kind deserves, and says which kind it was. */
export function logFault(where: string, error: unknown): Fault {
  const cause = databaseUnavailableCause(error);
  if (cause !== null) {
    logDatabaseUnavailable(where, cause);
    return 'unavailable';
  }
  console.error(`${where}: unexpected error:`, describeError(error));
  return 'unexpected';
}

/** Forgets the outage in progress, so the next failure is logged at once (tests start each outage afresh). */
export function resetOutageLog(): void {
  const log = outageLog();
  if (log.timer !== null) clearTimeout(log.timer);
  holder.chirpyOutageLog = { suppressed: 0, cause: '', timer: null };
}
