import 'server-only';
import { and, eq, gt, gte, isNull, sql } from 'drizzle-orm';
import { getSettings } from '../config';
import { type Database, getDb } from '../db/client';
import { type EmailToken, emailTokens, users } from '../db/schema';
import { createResetTokenValue, hashResetToken } from './password-reset';

/**
 * The links mailed about an address, made the way reset links are: 32 random bytes as 64 hex
 * characters, only their SHA-256 stored, single use, with a lifetime from the settings.
 * `verify` confirms an address (EMAIL_VERIFICATION_TTL_HOURS); `revert` is the "this wasn't me"
 * link to an address the account left (EMAIL_REVERT_TTL_DAYS).
 */

export type EmailTokenPurpose = EmailToken['purpose'];

const TOKEN_FORMAT = /^[0-9a-f]{64}$/;

const PAGES: Record<EmailTokenPurpose, string> = { verify: '/verify-email', revert: '/revert-email' };

/** The link a mail carries; `origin` is APP_URL (or, under `next dev`, the request's). */
export function emailTokenLink(purpose: EmailTokenPurpose, origin: string, token: string): string {
  const url = new URL(PAGES[purpose], origin);
  url.searchParams.set('token', token);
  return url.toString();
}

function lifetime(purpose: EmailTokenPurpose) {
  const settings = getSettings();
  return purpose === 'verify'
    ? sql`make_interval(hours => ${settings.EMAIL_VERIFICATION_TTL_HOURS})`
    : sql`make_interval(days => ${settings.EMAIL_REVERT_TTL_DAYS})`;
}

/**
 * A new link for `email`. A confirmation link replaces every unused one of the account (only
 * the latest request counts); a "this wasn't me" link replaces only the unused one for the same
 * address, so a second change cannot take away the link the first address holds. The account's
 * row is locked meanwhile, so two requests at once cannot leave two live links. Returns the
 * token, or null when the account is gone.
 */
export async function issueEmailToken(
  userId: string,
  purpose: EmailTokenPurpose,
  email: string,
): Promise<string | null> {
  const token = createResetTokenValue();
  const db = await getDb();
  const issued = await db.transaction(async (tx) => {
    const [owner] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update');
    if (!owner) return false;
    const sameAddress = purpose === 'revert' ? eq(emailTokens.email, email) : undefined;
    await tx
      .delete(emailTokens)
      .where(
        and(eq(emailTokens.userId, userId), eq(emailTokens.purpose, purpose), isNull(emailTokens.usedAt), sameAddress),
      );
    await tx.insert(emailTokens).values({
      tokenHash: hashResetToken(token),
      userId,
      purpose,
      email,
      expiresAt: sql`now() + ${lifetime(purpose)}`,
    });
    return true;
  });
  return issued ? token : null;
}

// The database's clock, as when the token was issued (expires_at = now() + the lifetime).
const usable = () => and(isNull(emailTokens.usedAt), gt(emailTokens.expiresAt, sql`now()`));

/** A link that can still be used: null for a used, expired, replaced, unknown or malformed one. A read only. */
export async function findUsableEmailToken(token: string, purpose: EmailTokenPurpose): Promise<EmailToken | null> {
  if (!TOKEN_FORMAT.test(token)) return null;
  const db = await getDb();
  const [row] = await db
    .select()
    .from(emailTokens)
    .where(and(eq(emailTokens.tokenHash, hashResetToken(token)), eq(emailTokens.purpose, purpose), usable()));
  return row ?? null;
}

/** Spends the link in the caller's transaction; false when a parallel request spent it first. */
export async function spendEmailToken(tx: Database, found: EmailToken): Promise<boolean> {
  const spent = await tx
    .update(emailTokens)
    .set({ usedAt: sql`now()` })
    .where(and(eq(emailTokens.tokenHash, found.tokenHash), usable()))
    .returning({ userId: emailTokens.userId });
  return spent.length > 0;
}

/**
 * After a "this wasn't me" link is used: the links of the addresses that came after it are spent
 * too (whoever made those changes must not undo the restore), while an older one stays, so the
 * address the account had first keeps the last word. Every confirmation link goes: the change it
 * would complete is cancelled.
 */
export async function spendLaterEmailTokens(tx: Database, used: EmailToken): Promise<void> {
  const unused = and(eq(emailTokens.userId, used.userId), isNull(emailTokens.usedAt));
  await tx
    .update(emailTokens)
    .set({ usedAt: sql`now()` })
    .where(and(unused, eq(emailTokens.purpose, 'revert'), gte(emailTokens.createdAt, used.createdAt)));
  await tx.delete(emailTokens).where(and(unused, eq(emailTokens.purpose, 'verify')));
}
