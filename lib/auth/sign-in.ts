import 'server-only';
import { recordAuthEvent } from '../audit';
import type { RelyingParty } from '../config';
import type { User } from '../db/schema';
import type { RequestContext } from '../http/request-context';
import { addressSubject, enforceRateLimit, type RateLimited } from '../rate-limit';
import { findUserById } from '../users';
import {
  confirmAddressLater,
  type EmailUnconfirmed,
  isEmailVerificationRequired,
  refuseUnconfirmedSignIn,
} from './email-verification';
import { type AuthenticationResponse, verifyPasskeyAssertion } from './passkey-ceremonies';
import {
  admitPasswordAttempt,
  type Credentials,
  type Registration,
  refundPasswordAttempt,
  registerUser,
  verifyCredentials,
} from './password-account';
import { resetPassword } from './password-reset';
import { hasSecondFactor, proveSecondFactor } from './second-factor';
import type { SessionClient } from './session-check';
import { createSession, createSessionIfCurrent, type NewSession } from './sessions';
import { type Challenge, createChallenge, spendChallenge, takeChallengeAttempt } from './sign-in-challenges';
import { type IssuedToken, issueAccessToken, issueSessionAccessToken } from './tokens';
import type { ChallengeTaken } from './webauthn-challenges';

/**
 * Signing in, as a sequence: a first factor proves who the person is (a password), then
 * nextSignInStep decides what that proof leads to, and completeSignIn carries it out. A new
 * first factor (a passkey, an OpenID provider) ends in completeSignIn too, and a second factor
 * is a step there (a pending step, finished by completeSecondFactor), so neither touches the
 * password code. Sign-up proves who the person is another way and starts a session directly
 * (startSession); the reset page's link is a first factor like the password, so an account with a
 * second factor is asked for it after a reset too. The rate limits are checked here, so every
 * entry point (JSON routes, forms) is held to them.
 */

export type StartedSession = {
  user: User;
  sessionId: string;
  tokens: { access: IssuedToken; refresh: IssuedToken };
};

/**
 * How a first factor proved who the person is: a password, a reset link from the inbox, or a
 * passkey. A passkey is asked for with user verification (a PIN or a biometric on the device), so
 * it is something held and something known at once: it counts as both factors, and no second step
 * is ever asked of it.
 */
export type FirstFactorMethod = 'password' | 'reset_link' | 'passkey';

/** A first factor that held: the account as the check read it. */
export type FirstFactor = { ok: true; user: User; factor: FirstFactorMethod };

/** What a first factor leads to: a session, a pending step that asks for the second factor, or a refusal no factor lifts. */
export type SignInStep = { step: 'session' } | { step: 'second_factor' } | { step: 'email_unverified' };

/**
 * The one place that decides what a first factor leads to. With REQUIRE_EMAIL_VERIFICATION an
 * address nobody has confirmed gets no session, whatever proved who the person is: that is
 * decided first, so no factor skips it. An account with a second factor on is then sent to a
 * pending step, unless its first factor already counts as both: a passkey does; neither a
 * password nor a reset link (which proves only the inbox) does.
 */
export async function nextSignInStep(user: User, factor: FirstFactorMethod): Promise<SignInStep> {
  if (isEmailVerificationRequired() && user.emailVerifiedAt === null) return { step: 'email_unverified' };
  if (factor === 'passkey') return { step: 'session' };
  return (await hasSecondFactor(user.id)) ? { step: 'second_factor' } : { step: 'session' };
}

/** The password held; the session waits for the second factor, on the pending step `challenge`. */
export type SecondFactorRequired = { ok: false; reason: 'second_factor_required'; challenge: Challenge };

/** The account changed while its first factor was checked: the proof is of an account that is gone. */
export type AccountChanged = { ok: false; reason: 'account_changed' };

export type SignInCompletion =
  | ({ ok: true } & StartedSession)
  | AccountChanged
  | EmailUnconfirmed
  | SecondFactorRequired;

function isAccountChanged(completion: SignInCompletion): completion is AccountChanged {
  return !completion.ok && completion.reason === 'account_changed';
}

/** Takes a first factor to the step nextSignInStep names. */
export async function completeSignIn(
  first: FirstFactor,
  client: SessionClient,
  context: RequestContext,
): Promise<SignInCompletion> {
  const next = await nextSignInStep(first.user, first.factor);
  switch (next.step) {
    case 'email_unverified':
      return refuseUnconfirmedSignIn(first.user, context);
    case 'session':
      return startSessionIfUnchanged(first.user, client, context);
    case 'second_factor':
      return { ok: false, reason: 'second_factor_required', challenge: await createChallenge(first.user, client) };
  }
}

/**
 * A session only if the account's email and password are still the ones the first factor saw:
 * a change made while the check ran has ended every session it could see, and whoever proved the
 * old credentials is who it means to shut out. That sign-in failed, and the owner sees it so.
 */
async function startSessionIfUnchanged(
  user: User,
  client: SessionClient,
  context: RequestContext,
): Promise<SignInCompletion> {
  const session = await createSessionIfCurrent(user, client, context);
  if (session) return { ok: true, ...(await issueTokens(user, session, client, context)) };
  await recordAuthEvent({ type: 'sign_in_failed', userId: user.id, context });
  return { ok: false, reason: 'account_changed' };
}

export type SignInFailure = { ok: false; reason: 'credentials' } | RateLimited;

export type SignIn = Exclude<SignInCompletion, AccountChanged> | SignInFailure;

const CREDENTIALS_REFUSED = { ok: false, reason: 'credentials' } as const;

/**
 * The password sign-in. `signal`: the request's, so a client that hung up leaves the line for
 * bcrypt unserved.
 */
export async function signIn(
  credentials: Credentials,
  client: SessionClient,
  context: RequestContext,
  signal?: AbortSignal,
): Promise<SignIn> {
  const first = await checkPassword(credentials, context, signal);
  if (!first.ok) return first;
  const completion = await completeSignIn(first, client, context);
  // To the person who typed it, a password changed meanwhile is simply a wrong one.
  if (isAccountChanged(completion)) return CREDENTIALS_REFUSED;
  // The password proved right, a session or not: it is no failed guess.
  await refundPasswordAttempt(credentials.email);
  return completion;
}

/** The password as a first factor. The limits are checked before the bcrypt work: a refused guess costs little. */
async function checkPassword(
  credentials: Credentials,
  context: RequestContext,
  signal?: AbortSignal,
): Promise<FirstFactor | SignInFailure> {
  const admitted = await admitPasswordAttempt(credentials.email, context);
  if (!admitted.ok) return admitted;
  const check = await verifyCredentials(credentials.email, credentials.password, signal);
  if (check.ok) return { ok: true, user: check.user, factor: 'password' };
  await recordAuthEvent({ type: 'sign_in_failed', userId: check.userId, context });
  return CREDENTIALS_REFUSED;
}

export type PasskeySignIn =
  | Exclude<SignInCompletion, AccountChanged>
  | { ok: false; reason: 'passkey_rejected' }
  | RateLimited;

/**
 * The passkey sign-in, for a browser: counted against the address's sign-in limit as a password
 * attempt is, before any check; then the challenge this browser was given and the assertion
 * (failures of a known passkey recorded against its account); then the same completion as a
 * password, with the same session, cookies and `signed_in` event. No per-account limit: the
 * passkey's signature cannot be guessed, and the account is known only once it verified.
 */
export async function signInWithPasskey(
  response: AuthenticationResponse,
  challenge: ChallengeTaken,
  rp: RelyingParty,
  context: RequestContext,
): Promise<PasskeySignIn> {
  const admitted = await admitPasskeyAttempt(context);
  if (!admitted.ok) return admitted;
  const assertion = await verifyPasskeyAssertion(response, challenge, rp, null, context);
  if (!assertion.ok) return PASSKEY_REFUSED;
  const completion = await completeSignIn({ ok: true, user: assertion.user, factor: 'passkey' }, 'browser', context);
  return isAccountChanged(completion) ? PASSKEY_REFUSED : completion;
}

const PASSKEY_REFUSED = { ok: false, reason: 'passkey_rejected' } as const;

/** A passkey attempt is a sign-in attempt of the address, as a password's is (login_ip). */
function admitPasskeyAttempt(context: RequestContext): Promise<{ ok: true } | RateLimited> {
  return enforceRateLimit('login_ip', addressSubject(context), { userId: null, context });
}

/** A session for an account as it stands: one just made, or just given a new password by a reset. */
export async function startSession(
  user: User,
  client: SessionClient,
  context: RequestContext,
): Promise<StartedSession> {
  return issueTokens(user, await createSession(user.id, client, context), client, context);
}

async function issueTokens(
  user: User,
  { sessionId, refreshToken }: NewSession,
  client: SessionClient,
  context: RequestContext,
): Promise<StartedSession> {
  const access =
    client === 'browser'
      ? await issueSessionAccessToken(user.id, sessionId)
      : await issueAccessToken(user.id, sessionId);
  await recordAuthEvent({ type: 'signed_in', userId: user.id, sessionId, context });
  return { user, sessionId, tokens: { access, refresh: refreshToken } };
}

/** What proved an account another way than a first factor, or its refusal, passed on as it came. */
async function startSessionAfter<Refusal extends { ok: false }>(
  proof: { ok: true; user: User } | Refusal,
  client: SessionClient,
  context: RequestContext,
): Promise<({ ok: true } & StartedSession) | Refusal> {
  return proof.ok ? { ok: true, ...(await startSession(proof.user, client, context)) } : proof;
}

/** A new account (the sign-up form, `POST /api/users`): its address's confirmation link is mailed after the response. */
export async function createAccount(credentials: Credentials, context: RequestContext): Promise<Registration> {
  const created = await registerUser(credentials, context);
  if (created.ok) confirmAddressLater(created.user, context);
  return created;
}

export type SignUp =
  | ({ ok: true } & StartedSession)
  | { ok: false; reason: 'email_taken' }
  | EmailUnconfirmed
  | RateLimited;

/**
 * Creates the account and signs it in, in one step: what the sign-up form does. With
 * REQUIRE_EMAIL_VERIFICATION the first session waits until the mailed link is followed.
 */
export async function signUp(
  credentials: Credentials,
  client: SessionClient,
  context: RequestContext,
): Promise<SignUp> {
  const created = await createAccount(credentials, context);
  if (created.ok && isEmailVerificationRequired()) return { ok: false, reason: 'email_unverified' };
  return startSessionAfter(created, client, context);
}

const INVALID_RESET_TOKEN = { ok: false, reason: 'invalid_token' } as const;

export type ResetSignIn =
  | ({ ok: true } & StartedSession)
  | SecondFactorRequired
  | EmailUnconfirmed
  | { ok: false; reason: 'invalid_token' }
  | RateLimited;

/**
 * The reset page: a new password from a mailed link, and this browser signed in with a fresh
 * session, or sent to the second factor when the account has one. Every earlier session was
 * ended by the reset, so the new one starts after that.
 */
export async function resetPasswordAndSignIn(
  token: string,
  newPassword: string,
  context: RequestContext,
): Promise<ResetSignIn> {
  const reset = await resetPassword(token, newPassword, context);
  if (!reset.ok) return reset;
  const completion = await completeSignIn({ ok: true, user: reset.user, factor: 'reset_link' }, 'browser', context);
  // Changed again between the reset and this sign-in: the link's proof is of a password gone.
  return isAccountChanged(completion) ? INVALID_RESET_TOKEN : completion;
}

export type SecondStepFailure = { ok: false; reason: 'challenge_invalid' | 'wrong_code' } | RateLimited;

export type SecondStep = ({ ok: true } & StartedSession) | SecondStepFailure;

const CHALLENGE_INVALID = { ok: false, reason: 'challenge_invalid' } as const;

/**
 * The pending step's end: a code (from the app, or a recovery code) for the challenge `id`. Each
 * try counts against the step (five at most) and the account's `second_factor` limit. The session
 * starts only if the account's credentials are still the ones the password check saw. `client`:
 * the kind of session the caller can hold, which must be the kind the sign-in asked for. An
 * unknown, expired, used or spent step and a changed account are one refusal: sign in again.
 */
export async function completeSecondFactor(
  id: string,
  code: string,
  client: SessionClient,
  context: RequestContext,
  nowMs = Date.now(),
): Promise<SecondStep> {
  const pending = await takeChallengeAttempt(id, client, nowMs);
  if (pending === null) return CHALLENGE_INVALID;
  const user = await findUserById(pending.userId);
  if (!user || user.credentialVersion !== pending.credentialVersion) return CHALLENGE_INVALID;
  const proof = await proveSecondFactor(user, code, context, nowMs);
  if (!proof.ok) {
    if (proof.reason === 'rate_limited') return proof;
    await recordAuthEvent({ type: 'sign_in_failed', userId: user.id, detail: 'second_factor', context });
    return { ok: false, reason: 'wrong_code' };
  }
  if (!(await spendChallenge(id, nowMs))) return CHALLENGE_INVALID;
  const completion = await startSessionIfUnchanged(user, client, context);
  return completion.ok ? completion : CHALLENGE_INVALID;
}
