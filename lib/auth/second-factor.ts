import 'server-only';
import { and, eq, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import { recordAuthEvent } from '../audit';
import { getDb } from '../db/client';
import { type TotpFactor, totpFactors, type User } from '../db/schema';
import type { RequestContext } from '../http/request-context';
import { enforceRateLimit, type RateLimited, refundRateLimit } from '../rate-limit';
import { notifyAccountOwner } from './account-notice-mail';
import {
  countUnusedRecoveryCodes,
  createRecoveryCodes,
  discardRecoveryCodes,
  looksLikeRecoveryCode,
  replaceRecoveryCodes,
  spendRecoveryCode,
} from './recovery-codes';
import { openSecret, sealSecret } from './secret-box';
import { checkTotpCode, createTotpSecret, looksLikeTotpCode, totpQrSvg, totpUri } from './totp';

/**
 * The second factor of an account: an authenticator app (TOTP) and its recovery codes, from
 * enrolment to turning it off. Enrolment has two steps: a secret is made and shown (the QR code
 * and the key as text), and only a first right code from the app turns the factor on, so nobody
 * is locked out by a scan that failed. Once on, the secret is never shown again. Every change is
 * an auth event; turning it off and using a recovery code also mail the owner.
 */

export type SecondFactorStatus =
  | { state: 'off' }
  | { state: 'pending'; key: string; qrSvg: string }
  | { state: 'on'; since: Date; recoveryCodesLeft: number };

async function readFactor(userId: string): Promise<TotpFactor | null> {
  const db = await getDb();
  const [factor] = await db.select().from(totpFactors).where(eq(totpFactors.userId, userId));
  return factor ?? null;
}

/** Whether sign-in asks this account for a code: an enrolment not yet confirmed does not count. */
export async function hasSecondFactor(userId: string): Promise<boolean> {
  const db = await getDb();
  const [row] = await db
    .select({ userId: totpFactors.userId })
    .from(totpFactors)
    .where(and(eq(totpFactors.userId, userId), isNotNull(totpFactors.confirmedAt)));
  return row !== undefined;
}

/**
 * The secret in a factor's box. A box no configured key opens (MFA_ENCRYPTION_KEY changed without
 * MFA_ENCRYPTION_KEY_PREVIOUS) is an operator's mistake, logged by user id only: codes for that
 * account are refused until the old key is back.
 */
function openFactor(factor: TotpFactor): { plain: string; stale: boolean } | null {
  const opened = openSecret(factor.secretCiphertext, factor.userId);
  if (opened === null) console.error(`second factor: no configured key opens the TOTP secret of user ${factor.userId}`);
  return opened;
}

/** What the account page shows: the pending secret while enrolling, never once the factor is on. */
export async function readSecondFactorStatus(user: User): Promise<SecondFactorStatus> {
  const factor = await readFactor(user.id);
  if (factor === null) return { state: 'off' };
  if (factor.confirmedAt !== null) {
    return { state: 'on', since: factor.confirmedAt, recoveryCodesLeft: await countUnusedRecoveryCodes(user.id) };
  }
  const opened = openFactor(factor);
  if (opened === null) return { state: 'off' };
  return { state: 'pending', key: opened.plain, qrSvg: await totpQrSvg(totpUri(opened.plain, user.email)) };
}

/**
 * A new secret for the account, not yet in force: it replaces an earlier unconfirmed one (a scan
 * that failed), never a factor that is on.
 */
export async function startTotpEnrolment(userId: string): Promise<{ ok: true } | { ok: false; reason: 'already_on' }> {
  const db = await getDb();
  const box = sealSecret(createTotpSecret(), userId);
  const written = await db
    .insert(totpFactors)
    .values({ userId, secretCiphertext: box })
    .onConflictDoUpdate({
      target: totpFactors.userId,
      set: { secretCiphertext: box, createdAt: sql`now()`, lastTimeStep: null },
      setWhere: isNull(totpFactors.confirmedAt),
    })
    .returning({ userId: totpFactors.userId });
  return written.length > 0 ? { ok: true } : { ok: false, reason: 'already_on' };
}

export type Enrolment = { ok: true; recoveryCodes: string[] } | { ok: false; reason: 'wrong_code' | 'not_pending' };

/** The first code from the app: the factor goes on, with a first set of recovery codes. */
export async function confirmTotpEnrolment(
  userId: string,
  code: string,
  context: RequestContext,
  nowMs = Date.now(),
): Promise<Enrolment> {
  const factor = await readFactor(userId);
  if (factor === null || factor.confirmedAt !== null) return { ok: false, reason: 'not_pending' };
  const opened = openFactor(factor);
  if (opened === null) return { ok: false, reason: 'not_pending' };
  const check = await checkTotpCode(opened.plain, code, nowMs, null);
  if (!check.ok) return { ok: false, reason: 'wrong_code' };
  const recoveryCodes = createRecoveryCodes();
  const db = await getDb();
  const confirmed = await db.transaction(async (tx) => {
    const rows = await tx
      .update(totpFactors)
      .set({ confirmedAt: sql`now()`, lastTimeStep: check.timeStep })
      .where(and(eq(totpFactors.userId, userId), isNull(totpFactors.confirmedAt)))
      .returning({ userId: totpFactors.userId });
    if (rows.length === 0) return false;
    await replaceRecoveryCodes(tx, userId, recoveryCodes);
    return true;
  });
  if (!confirmed) return { ok: false, reason: 'not_pending' };
  await recordAuthEvent({ type: 'totp_enabled', userId, context });
  return { ok: true, recoveryCodes };
}

/**
 * A code from the app for an account whose factor is on. The step it matched is stored in the
 * same statement that checks it is newer than the last one accepted, so two requests with one
 * code cannot both pass. A box sealed under the previous key is sealed again under the current one.
 */
async function acceptTotpCode(userId: string, code: string, nowMs: number): Promise<boolean> {
  const factor = await readFactor(userId);
  if (factor === null || factor.confirmedAt === null) return false;
  const opened = openFactor(factor);
  if (opened === null) return false;
  const check = await checkTotpCode(opened.plain, code, nowMs, factor.lastTimeStep);
  if (!check.ok) return false;
  const db = await getDb();
  const box = opened.stale ? sealSecret(opened.plain, userId) : factor.secretCiphertext;
  const accepted = await db
    .update(totpFactors)
    .set({ lastTimeStep: check.timeStep, secretCiphertext: box })
    .where(
      and(
        eq(totpFactors.userId, userId),
        isNotNull(totpFactors.confirmedAt),
        or(isNull(totpFactors.lastTimeStep), lt(totpFactors.lastTimeStep, check.timeStep)),
      ),
    )
    .returning({ userId: totpFactors.userId });
  return accepted.length > 0;
}

export type SecondFactorProof = { ok: true; method: 'totp' | 'recovery_code' } | { ok: false; reason: 'wrong_code' };

/**
 * A code typed where the second factor is asked for: six digits are an app's code, anything of a
 * recovery code's shape is a recovery code (spent if it is right). Every try counts against the
 * account's `second_factor` limit, wherever it comes from (sign-in, turning the factor off), and a
 * right code takes its count back: only wrong ones stay. A recovery code's use is recorded and
 * mailed to the owner: it is how someone with a stolen password and a stolen list would get in.
 */
export async function proveSecondFactor(
  user: Pick<User, 'id' | 'email'>,
  code: string,
  context: RequestContext,
  nowMs = Date.now(),
): Promise<SecondFactorProof | RateLimited> {
  const admitted = await enforceRateLimit('second_factor', user.id, { userId: user.id, context });
  if (!admitted.ok) return admitted;
  const proof = await checkCode(user.id, code, nowMs);
  if (!proof.ok) return proof;
  await refundRateLimit('second_factor', user.id);
  if (proof.method === 'recovery_code') {
    await recordAuthEvent({ type: 'recovery_code_used', userId: user.id, context });
    await notifyAccountOwner(user, 'recovery_code_used');
  }
  return proof;
}

async function checkCode(userId: string, code: string, nowMs: number): Promise<SecondFactorProof> {
  if (looksLikeTotpCode(code)) return (await acceptTotpCode(userId, code, nowMs)) ? TOTP_PROOF : REFUSED;
  return (await spendRecoveryCode(userId, code)) ? RECOVERY_PROOF : REFUSED;
}

const TOTP_PROOF = { ok: true, method: 'totp' } as const;
const RECOVERY_PROOF = { ok: true, method: 'recovery_code' } as const;
const REFUSED = { ok: false, reason: 'wrong_code' } as const;

/** Whether a typed value could be a code at all (a form refuses anything else before any work). */
export function looksLikeSecondFactorCode(code: string): boolean {
  return looksLikeTotpCode(code) || looksLikeRecoveryCode(code);
}

export type FactorChange = { ok: false; reason: 'wrong_code' | 'not_on' };

/**
 * Turning the factor off: `account` as the current-password step-up answered, and a code (from the
 * app, or a recovery code for someone who lost the phone). The secret and the codes go together.
 */
export async function turnOffTotp(
  account: User,
  code: string,
  context: RequestContext,
  nowMs = Date.now(),
): Promise<{ ok: true } | FactorChange | RateLimited> {
  if (!(await hasSecondFactor(account.id))) return { ok: false, reason: 'not_on' };
  const proof = await proveSecondFactor(account, code, context, nowMs);
  if (!proof.ok) {
    if (proof.reason === 'wrong_code') {
      await recordAuthEvent({ type: 'sign_in_failed', userId: account.id, detail: 'second_factor', context });
    }
    return proof;
  }
  await discardFactor(account, context, null);
  return { ok: true };
}

/**
 * For an operator, when the owner has lost both the phone and the recovery codes and has proved
 * who they are some other way (scripts/remove-second-factor.ts): the factor goes as if turned off,
 * recorded as the operator's doing and mailed to the owner like any turning off.
 */
export async function removeSecondFactor(account: User, context: RequestContext): Promise<boolean> {
  if (!(await hasSecondFactor(account.id))) return false;
  await discardFactor(account, context, 'operator');
  return true;
}

async function discardFactor(account: User, context: RequestContext, by: 'operator' | null): Promise<void> {
  const db = await getDb();
  await db.transaction(async (tx) => {
    await tx.delete(totpFactors).where(eq(totpFactors.userId, account.id));
    await discardRecoveryCodes(tx, account.id);
  });
  await recordAuthEvent({ type: 'totp_disabled', userId: account.id, detail: by, context });
  await notifyAccountOwner(account, 'totp_disabled');
}

/** A new set of recovery codes (after the current-password step-up); the old set stops working. */
export async function regenerateRecoveryCodes(
  account: User,
  context: RequestContext,
): Promise<{ ok: true; recoveryCodes: string[] } | { ok: false; reason: 'not_on' }> {
  if (!(await hasSecondFactor(account.id))) return { ok: false, reason: 'not_on' };
  const recoveryCodes = createRecoveryCodes();
  const db = await getDb();
  await db.transaction((tx) => replaceRecoveryCodes(tx, account.id, recoveryCodes));
  await recordAuthEvent({ type: 'recovery_codes_regenerated', userId: account.id, context });
  return { ok: true, recoveryCodes };
}
