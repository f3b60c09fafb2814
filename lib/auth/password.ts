import 'server-only';
import { z } from 'zod';
import { getSettings } from '../config';
import { MAX_PASSWORD_BYTES, MESSAGES, MIN_PASSWORD_LENGTH } from '../messages';
import { coded } from '../rule-codes';
import { bcryptCompare, bcryptHash } from './hasher';

export { MAX_PASSWORD_BYTES, MIN_PASSWORD_LENGTH };
export const PASSWORD_TOO_SHORT = MESSAGES.password_too_short;
export const PASSWORD_TOO_LONG = MESSAGES.password_too_long;

export function fitsBcrypt(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') <= MAX_PASSWORD_BYTES;
}

export const passwordSchema = z
  .string({ error: 'password must be a string' })
  // Refinements rather than .min(), so a form learns which rule failed by its code.
  .refine((password) => password.length >= MIN_PASSWORD_LENGTH, coded('password_too_short'))
  .refine(fitsBcrypt, coded('password_too_long'));

export function hashPassword(password: string): Promise<string> {
  return bcryptHash(password, getSettings().BCRYPT_COST);
}

/** `signal`: the request's, so a client that hung up spends no bcrypt work (lib/auth/hasher.ts). */
export function verifyPassword(password: string, hash: string, signal?: AbortSignal): Promise<boolean> {
  return bcryptCompare(password, hash, signal);
}

const dummyHashes = new Map<number, Promise<string>>();

/**
 * Burns the time of a real comparison, for logins with an unknown email: otherwise the quick
 * answer would tell an attacker which emails have accounts.
 */
export async function verifyAgainstDummy(password: string, signal?: AbortSignal): Promise<false> {
  signal?.throwIfAborted();
  const cost = getSettings().BCRYPT_COST;
  let hash = dummyHashes.get(cost);
  if (hash === undefined) {
    hash = bcryptHash('chirpy-dummy-password', cost);
    dummyHashes.set(cost, hash);
    // Refused (the queue was full) or failed: forgotten, so the next unknown email makes it again.
    hash.catch(() => dummyHashes.delete(cost));
  }
  await bcryptCompare(password, await hash, signal);
  return false;
}
