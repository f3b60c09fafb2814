import {
  type AnyPgColumn,
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

/**
 * The indexes of a table read one user's rows newest first (their chirps, their account activity)
 * and all rows by age (the public timeline, housekeeping's sweep).
 */
function byUserAndByAge(
  table: { userId: AnyPgColumn; createdAt: AnyPgColumn },
  names: { byUser: string; byAge: string },
) {
  return [index(names.byUser).on(table.userId, table.createdAt), index(names.byAge).on(table.createdAt)];
}

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  ...timestamps,
  // Stored trimmed and lower-cased by lib/users.ts, so the plain unique index is case-insensitive.
  email: text('email').notNull().unique(),
  hashedPassword: text('hashed_password').notNull(),
  isChirpyRed: boolean('is_chirpy_red').notNull().default(false),
  // One more with every change of email or password. A sign-in writes its session only while the
  // version is the one whose password it checked (lib/auth/sessions.ts createSessionIfCurrent).
  credentialVersion: integer('credential_version').notNull().default(0),
  // When the owner followed a confirmation link mailed to `email`; null: not confirmed (yet).
  emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }),
  // With REQUIRE_EMAIL_VERIFICATION, a new address waiting for its confirmation link. Never
  // unique and never used to sign in or to send a reset link: it is only a request.
  pendingEmail: text('pending_email'),
});

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;

/**
 * One row per refresh token ever issued. The token itself is never stored, only its SHA-256:
 * a database leak must not hand out live sessions.
 *
 * All tokens of one sign-in share `session_id`. Bearer (API) tokens never rotate, so their
 * session has one token; browser tokens rotate, and each retired token points at its successor.
 */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    ...timestamps,
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    sessionId: uuid('session_id').notNull(),
    client: text('client', { enum: ['bearer', 'browser'] }).notNull(),
    // When the session began (sign-in): copied unchanged to every successor, like expires_at.
    sessionStartedAt: timestamp('session_started_at', { withTimezone: true }).notNull().defaultNow(),
    // Absolute end of the session: copied unchanged to every successor, so rotation never extends it.
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokedReason: text('revoked_reason', {
      enum: ['rotated', 'superseded', 'signed_out', 'reuse_detected', 'credentials_changed'],
    }),
    replacedBy: text('replaced_by'),
    userAgent: text('user_agent'),
    // The client address the token was last used from (the session list shows it).
    ip: text('ip'),
  },
  (table) => [
    index('refresh_tokens_session_id_idx').on(table.sessionId),
    index('refresh_tokens_user_id_idx').on(table.userId),
  ],
);

export type RefreshToken = typeof refreshTokens.$inferSelect;

export const chirps = pgTable(
  'chirps',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ...timestamps,
    body: text('body').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (table) => byUserAndByAge(table, { byUser: 'chirps_user_id_created_at_idx', byAge: 'chirps_created_at_idx' }),
);

export type Chirp = typeof chirps.$inferSelect;

/**
 * Fixed-window counters for rate limits, shared by every instance. One row per limited key
 * (`login:ip:203.0.113.9`); a check is a single upsert that counts and answers.
 *
 * The table is UNLOGGED (drizzle/0004_rate_limits_unlogged.sql; drizzle cannot declare it here):
 * a commit that touched only it waits for no write-ahead log flush, which a sign-in's two counts
 * would otherwise pay. A crash empties it, so every window starts again from zero: counters are
 * worth less than that flush.
 */
export const rateLimits = pgTable(
  'rate_limits',
  {
    key: text('key').primaryKey(),
    windowStartedAt: timestamp('window_started_at', { withTimezone: true }).notNull(),
    hits: integer('hits').notNull(),
  },
  (table) => [index('rate_limits_window_started_at_idx').on(table.windowStartedAt)],
);

/**
 * The audit log: what happened to an account, when, from where. Never a password, token or hash.
 * `user_id` is null for events that name no account (a failed sign-in with an unknown email).
 */
export const authEvents = pgTable(
  'auth_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    sessionId: uuid('session_id'),
    type: text('type', {
      enum: [
        'signed_up',
        'signed_in',
        'sign_in_failed',
        'session_ended',
        'reuse_detected',
        'password_changed',
        'email_changed',
        'rate_limited',
        'password_reset',
        'email_verification_sent',
        'email_verified',
        'email_change_requested',
        'email_change_reverted',
        'totp_enabled',
        'totp_disabled',
        'recovery_codes_regenerated',
        'recovery_code_used',
        'passkey_added',
        'passkey_renamed',
        'passkey_removed',
      ],
    }).notNull(),
    // For session_ended: who ended it (signed_out, other_session, credentials_changed, password_reset);
    // for rate_limited: which limit; for sign_in_failed: what failed, when not the password
    // (current_password, second_factor, passkey, passkey_counter); for totp_disabled: operator,
    // when an operator removed it (null: the owner); for passkey_*: the passkey's name.
    detail: text('detail'),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (table) =>
    byUserAndByAge(table, { byUser: 'auth_events_user_id_created_at_idx', byAge: 'auth_events_created_at_idx' }),
);
export type AuthEvent = typeof authEvents.$inferSelect;

/**
 * The password-reset link's token, one row per user: a new request overwrites the row, so the
 * previous link stops working, and two requests at once cannot leave two live tokens. Only the
 * token's SHA-256 is stored. A used row stays until housekeeping deletes it.
 */
export const passwordResetTokens = pgTable(
  'password_reset_tokens',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (table) => [index('password_reset_tokens_expires_at_idx').on(table.expiresAt)],
);

export type PasswordResetToken = typeof passwordResetTokens.$inferSelect;

/**
 * Links mailed about an address (lib/auth/email-verification.ts), stored as SHA-256 only.
 * `verify`: confirms `email`, the account's address or its pending one; a newer one replaces every
 * older one of the account. `revert`: the "this wasn't me" link sent to an address the account
 * left, which restores `email`; a newer one replaces the older one for the same address only, so
 * a second change cannot take the first address's link away.
 */
export const emailTokens = pgTable(
  'email_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: ['verify', 'revert'] }).notNull(),
    email: text('email').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (table) => [
    index('email_tokens_user_id_purpose_idx').on(table.userId, table.purpose),
    index('email_tokens_expires_at_idx').on(table.expiresAt),
  ],
);

export type EmailToken = typeof emailTokens.$inferSelect;

/**
 * An authenticator app (TOTP) enrolled for an account, one per user. The shared secret is stored
 * encrypted (lib/auth/secret-box.ts: AES-256-GCM under MFA_ENCRYPTION_KEY, bound to the user id),
 * never in the clear: the database alone cannot make codes. `confirmed_at` is null until the
 * owner has typed a first code; until then the factor is not asked for at sign-in.
 * `last_time_step` is the newest 30-second step a code was accepted for: a code is never accepted
 * twice, nor one older than it.
 */
export const totpFactors = pgTable('totp_factors', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  secretCiphertext: text('secret_ciphertext').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  lastTimeStep: integer('last_time_step'),
});

export type TotpFactor = typeof totpFactors.$inferSelect;

/**
 * The single-use recovery codes of an account with a second factor: only their SHA-256 (each code
 * holds about 79 random bits, so a hash cannot be walked back). A new set replaces the old one.
 */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    codeHash: text('code_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (table) => [index('recovery_codes_user_id_idx').on(table.userId)],
);

/**
 * A sign-in whose password held and whose second factor is still due: the pending step. The
 * challenge id (in an httpOnly cookie for a browser, in the answer for an API client) is stored
 * only as its SHA-256. Single use, short-lived, and a few tries at most. `credential_version` is
 * the account's as the password check saw it: a change meanwhile voids the step.
 */
export const signInChallenges = pgTable(
  'sign_in_challenges',
  {
    challengeHash: text('challenge_hash').primaryKey(),
    // The kind of session the sign-in asked for, and for whom.
    client: text('client', { enum: ['bearer', 'browser'] }).notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    credentialVersion: integer('credential_version').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (table) => [
    index('sign_in_challenges_user_id_idx').on(table.userId),
    index('sign_in_challenges_expires_at_idx').on(table.expiresAt),
  ],
);

export type SignInChallenge = typeof signInChallenges.$inferSelect;

/**
 * A passkey (WebAuthn credential): its public key and what the authenticator said about it. The
 * credential id is unique across every account: a sign-in finds its passkey by it alone.
 * `backed_up` tells a synced passkey (a password manager, a platform's cloud keychain) from one
 * bound to a single device; `backup_eligible` whether it can ever be synced.
 */
export const passkeys = pgTable(
  'passkeys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    // base64url, as the browser sends it.
    credentialId: text('credential_id').notNull(),
    // The COSE public key, base64url.
    publicKey: text('public_key').notNull(),
    // The authenticator's signature counter (0 for the many that keep none): a decrease means a copy.
    signCount: bigint('sign_count', { mode: 'number' }).notNull().default(0),
    transports: text('transports').array().notNull().default([]),
    backupEligible: boolean('backup_eligible').notNull(),
    backedUp: boolean('backed_up').notNull(),
    name: text('name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('passkeys_credential_id_idx').on(table.credentialId),
    index('passkeys_user_id_idx').on(table.userId, table.createdAt),
  ],
);

export type Passkey = typeof passkeys.$inferSelect;

/**
 * A WebAuthn ceremony's challenge, kept on the server: the browser holds only a random token in
 * an httpOnly cookie, and the row is keyed by the token's SHA-256. Taking a challenge deletes its
 * row, so it serves one ceremony. `user_id` binds registration and step-up challenges to the
 * account that asked; a sign-in's has none (the passkey names its account).
 */
export const webauthnChallenges = pgTable(
  'webauthn_challenges',
  {
    tokenHash: text('token_hash').primaryKey(),
    purpose: text('purpose', { enum: ['registration', 'sign_in', 'step_up'] }).notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    challenge: text('challenge').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('webauthn_challenges_expires_at_idx').on(table.expiresAt)],
);

export const schema = {
  users,
  refreshTokens,
  chirps,
  rateLimits,
  authEvents,
  passwordResetTokens,
  emailTokens,
  totpFactors,
  recoveryCodes,
  signInChallenges,
  passkeys,
  webauthnChallenges,
};
