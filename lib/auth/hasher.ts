import 'server-only';
import bcryptjs from 'bcryptjs';
import { getSettings } from '../config';
import { ServerBusyError } from '../http/busy';

/**
 * Where bcrypt's work happens. bcryptjs hashes on the event loop in long synchronous slices: while
 * logins run flat out, every other request waits behind them, and logins top out at one core's
 * worth. The native `bcrypt` binding hashes on libuv's thread pool instead: the event loop stays
 * free and every core works (the bench's login scenarios hold it to that). Its hashes are the same
 * `$2b$` strings.
 *
 * bcryptjs stays as the fallback for a platform the binding ships no prebuilt binary for, so the
 * app still runs there, with the old stalls; the server says so once at the first hash.
 *
 * At most PASSWORD_HASH_CONCURRENCY hashes run at once (default 2, one per core here): more buys
 * no throughput on two cores, and libuv's four threads also serve file and DNS work, which a
 * burst of logins must not starve. The rest wait in line, and the line is bounded
 * (PASSWORD_HASH_QUEUE_MAX, default 64): past it a request is refused at once with a 503 and
 * Retry-After (lib/http/busy.ts), because a longer line only makes every caller wait longer for
 * an answer its client may have given up on. A job whose request was aborted (the client hung
 * up) leaves the line before its hash runs: that work would be for nobody.
 */

type Bcrypt = {
  hash(password: string, cost: number): Promise<string>;
  compare(password: string, hash: string): Promise<boolean>;
};

export type HasherKind = 'native' | 'bcryptjs';

type Waiter = { admit: () => void };
type Slots = { running: number; waiting: Waiter[]; warnedAt: number | null };

const holder = globalThis as typeof globalThis & {
  chirpyHasher?: Promise<{ kind: HasherKind; bcrypt: Bcrypt }>;
  chirpyHashSlots?: Slots;
};

// About how long a full line at the default settings takes to drain; a hint, not a promise.
const BUSY_RETRY_AFTER_SECONDS = 2;
// A steady overload would otherwise write a line per refused request.
const BUSY_WARNING_INTERVAL_MS = 60_000;

async function loadBcrypt(): Promise<{ kind: HasherKind; bcrypt: Bcrypt }> {
  try {
    const native = await import('bcrypt');
    return { kind: 'native', bcrypt: native.default };
  } catch {
    console.warn('password hashing: the native bcrypt binding is unavailable here; using bcryptjs on the event loop');
    return { kind: 'bcryptjs', bcrypt: bcryptjs };
  }
}

function hasher(): Promise<{ kind: HasherKind; bcrypt: Bcrypt }> {
  holder.chirpyHasher ??= loadBcrypt();
  return holder.chirpyHasher;
}

export async function hasherKind(): Promise<HasherKind> {
  return (await hasher()).kind;
}

function hashSlots(): Slots {
  holder.chirpyHashSlots ??= { running: 0, waiting: [], warnedAt: null };
  return holder.chirpyHashSlots;
}

/** Hashes running and waiting in this process now. */
export function passwordHashLoad(): { running: number; waiting: number } {
  const slots = hashSlots();
  return { running: slots.running, waiting: slots.waiting.length };
}

/** Tests: the next refusal is logged again, whatever an earlier test's did. */
export function forgetHashQueueWarning(): void {
  hashSlots().warnedAt = null;
}

function refuseAsBusy(slots: Slots): ServerBusyError {
  const now = Date.now();
  if (slots.warnedAt === null || now - slots.warnedAt >= BUSY_WARNING_INTERVAL_MS) {
    slots.warnedAt = now;
    console.warn(
      `password hashing: the queue is full (${slots.waiting.length} waiting, PASSWORD_HASH_QUEUE_MAX); ` +
        'answering 503 until it shortens',
    );
  }
  return new ServerBusyError('the password-hash queue', BUSY_RETRY_AFTER_SECONDS);
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException('The request was aborted', 'AbortError');
}

/** Waits for a slot; leaves the line, rejecting, if `signal` aborts first. */
function waitForSlot(slots: Slots, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return new Promise<void>((resolve) => slots.waiting.push({ admit: resolve }));
  return new Promise<void>((resolve, reject) => {
    const waiter: Waiter = {
      admit: () => {
        signal.removeEventListener('abort', leave);
        resolve();
      },
    };
    function leave() {
      slots.waiting.splice(slots.waiting.indexOf(waiter), 1);
      reject(abortReason(signal));
    }
    slots.waiting.push(waiter);
    signal.addEventListener('abort', leave, { once: true });
  });
}

/** Runs `work` once fewer than the configured number of hashes are in flight. */
async function inSlot<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted) throw abortReason(signal);
  const slots = hashSlots();
  const settings = getSettings();
  if (slots.running < settings.PASSWORD_HASH_CONCURRENCY) {
    slots.running += 1;
  } else {
    if (slots.waiting.length >= settings.PASSWORD_HASH_QUEUE_MAX) throw refuseAsBusy(slots);
    // The slot is handed over by the job that finishes, still counted as running.
    await waitForSlot(slots, signal);
  }
  try {
    return await work();
  } finally {
    // Hand the slot straight to the next in line, or give it back.
    const next = slots.waiting.shift();
    if (next) next.admit();
    else slots.running -= 1;
  }
}

export async function bcryptHash(password: string, cost: number): Promise<string> {
  const { bcrypt } = await hasher();
  return inSlot(() => bcrypt.hash(password, cost));
}

/** `signal`: the request's; once it aborts, a compare still waiting in line is dropped. */
export async function bcryptCompare(password: string, hash: string, signal?: AbortSignal): Promise<boolean> {
  const { bcrypt } = await hasher();
  return inSlot(() => bcrypt.compare(password, hash), signal);
}
