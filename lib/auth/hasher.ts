import 'server-only';
import bcryptjs from 'bcryptjs';
import { getSettings } from '../config';

/**
 * Where bcrypt's work happens. bcryptjs hashes on the event loop in ~100 ms slices: while logins
 * ran flat out, every other request waited (healthz p99 from 18 ms to 2.6 s) and logins topped out
 * at one core's worth (~12/s). The native `bcrypt` binding hashes on libuv's thread pool instead:
 * the event loop stays free and both cores work (measured here at cost 10: 18/s with one hash in
 * flight, 33/s with two, event-loop lag under 15 ms). Its hashes are the same `$2b$` strings.
 *
 * bcryptjs stays as the fallback for a platform the binding ships no prebuilt binary for, so the
 * app still runs there, with the old stalls; the server says so once at the first hash.
 *
 * At most PASSWORD_HASH_CONCURRENCY hashes run at once (default 2, one per core here): more buys
 * no throughput on two cores, and libuv's four threads also serve file and DNS work, which a
 * burst of logins must not starve.
 */

type Bcrypt = {
  hash(password: string, cost: number): Promise<string>;
  compare(password: string, hash: string): Promise<boolean>;
};

export type HasherKind = 'native' | 'bcryptjs';

const holder = globalThis as typeof globalThis & {
  chirpyHasher?: Promise<{ kind: HasherKind; bcrypt: Bcrypt }>;
  chirpyHashSlots?: { running: number; waiting: Array<() => void> };
};

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

/** Runs `work` once fewer than the configured number of hashes are in flight. */
async function inSlot<T>(work: () => Promise<T>): Promise<T> {
  holder.chirpyHashSlots ??= { running: 0, waiting: [] };
  const slots = holder.chirpyHashSlots;
  if (slots.running >= getSettings().PASSWORD_HASH_CONCURRENCY) {
    await new Promise<void>((resolve) => slots.waiting.push(resolve));
  } else {
    slots.running += 1;
  }
  try {
    return await work();
  } finally {
    // Hand the slot straight to the next in line, or give it back.
    const next = slots.waiting.shift();
    if (next) next();
    else slots.running -= 1;
  }
}

export async function bcryptHash(password: string, cost: number): Promise<string> {
  const { bcrypt } = await hasher();
  return inSlot(() => bcrypt.hash(password, cost));
}

export async function bcryptCompare(password: string, hash: string): Promise<boolean> {
  const { bcrypt } = await hasher();
  return inSlot(() => bcrypt.compare(password, hash));
}
