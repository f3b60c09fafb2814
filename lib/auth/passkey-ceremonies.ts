import 'server-only';
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { z } from 'zod';
import { recordAuthEvent } from '../audit';
import { getRelyingParty, type RelyingParty } from '../config';
import type { Passkey, User } from '../db/schema';
import { isSecureRequest, type RequestContext, requestHost } from '../http/request-context';
import { PRODUCT_NAME } from '../messages';
import { addressSubject, enforceRateLimit, type RateLimited } from '../rate-limit';
import { findUserById } from '../users';
import { findPasskeyByCredentialId, insertPasskey, listPasskeys, type NewPasskey, recordPasskeyUse } from './passkeys';
import type { StepUp } from './password-account';
import type { ChallengeCookie, ChallengePurpose, ChallengeTaken } from './webauthn-challenges';
import { issueChallenge } from './webauthn-challenges';

/**
 * The WebAuthn ceremonies (@simplewebauthn/server): registering a passkey, and proving one for a
 * sign-in or a step-up. Every ceremony asks for user verification (a PIN, a fingerprint), so a
 * passkey alone proves both something held and something known or been. Attestation is `none`:
 * Chirpy trusts no vendor list, only the key it is given. Failures are values; whatever the
 * library throws about a response (it throws for every malformed or wrong one) is a refusal.
 */

/** The relying party for a request: the settings, or in development the request's own origin. */
export function relyingPartyFor(headers: Headers): RelyingParty | null {
  const host = requestHost(headers);
  const requestOrigin = host === null ? undefined : `${isSecureRequest(headers) ? 'https' : 'http'}://${host}`;
  return getRelyingParty(requestOrigin);
}

// ES256 is what every passkey provider offers; RS256 for Windows Hello's older keys.
const SUPPORTED_ALGORITHMS = [-7, -257];

const base64url = z.string().regex(/^[A-Za-z0-9_-]*$/, 'not base64url');

/** The browser's answer to navigator.credentials.get, as @simplewebauthn/browser sends it. */
export const authenticationResponseSchema = z.object({
  id: base64url.min(1),
  rawId: base64url.min(1),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url,
    authenticatorData: base64url,
    signature: base64url,
    userHandle: base64url.optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});

/** The browser's answer to navigator.credentials.create. */
export const registrationResponseSchema = z.object({
  id: base64url.min(1),
  rawId: base64url.min(1),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url,
    attestationObject: base64url,
    transports: z.array(z.string().max(32)).max(10).optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});

export type AuthenticationResponse = z.infer<typeof authenticationResponseSchema>;
export type RegistrationResponse = z.infer<typeof registrationResponseSchema>;

/** A form's hidden field holds the response as JSON: parsed and checked, or null. */
export function parseResponseField<S extends z.ZodType>(schema: S, field: unknown): z.output<S> | null {
  if (typeof field !== 'string' || field === '') return null;
  let json: unknown;
  try {
    json = JSON.parse(field);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

function challengeBytes(challenge: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(challenge, 'base64url'));
}

export type CeremonyStart<Options> = { ok: true; options: Options; cookie: ChallengeCookie };

type CredentialDescriptor = { id: string; transports: string[] };

/**
 * What every ceremony's start does: count the challenge against the address's `passkey_options`
 * limit (so nobody can fill the table; a sign-in attempt itself is counted when it is made, by
 * signInWithPasskey), store a challenge for `purpose`, and build the options around it and the
 * account's own passkeys.
 */
async function startCeremony<Options>(
  purpose: ChallengePurpose,
  user: User | null,
  secure: boolean,
  context: RequestContext,
  build: (challenge: Uint8Array<ArrayBuffer>, own: CredentialDescriptor[]) => Promise<Options>,
): Promise<CeremonyStart<Options> | RateLimited> {
  const userId = user?.id ?? null;
  const admitted = await enforceRateLimit('passkey_options', addressSubject(context), { userId, context });
  if (!admitted.ok) return admitted;
  const own = userId === null ? [] : await listPasskeys(userId);
  const issued = await issueChallenge(purpose, userId, secure);
  const descriptors = own.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports }));
  const options = await build(challengeBytes(issued.challenge), descriptors);
  return { ok: true, options, cookie: issued.cookie };
}

/** Registration's options: a discoverable credential, verified user, none of the account's own again. */
export function startPasskeyRegistration(
  user: User,
  rp: RelyingParty,
  secure: boolean,
  context: RequestContext,
): Promise<CeremonyStart<PublicKeyCredentialCreationOptionsJSON> | RateLimited> {
  return startCeremony('registration', user, secure, context, (challenge, own) =>
    generateRegistrationOptions({
      rpName: PRODUCT_NAME,
      rpID: rp.id,
      userName: user.email,
      userID: new TextEncoder().encode(user.id),
      challenge,
      attestationType: 'none',
      excludeCredentials: own,
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    }),
  );
}

export type Registration = { ok: true; passkey: Passkey } | { ok: false; reason: 'rejected' | 'already_registered' };

/** Checks the new credential against the challenge and the relying party, then keeps its public key. */
export async function finishPasskeyRegistration(
  user: User,
  response: RegistrationResponse,
  name: string,
  challenge: ChallengeTaken,
  rp: RelyingParty,
  context: RequestContext,
): Promise<Registration> {
  if (!challenge.ok) return { ok: false, reason: 'rejected' };
  const verified = await verifyRegistration(response, challenge.challenge, rp);
  if (verified === null) return { ok: false, reason: 'rejected' };
  return insertPasskey(user.id, { ...verified, name }, context);
}

/**
 * What both verifications expect of an answer: our challenge, origin and RP ID, and a verified
 * user. The library throws for every answer it refuses (a malformed one included): a refusal.
 */
function expectationsOf(expectedChallenge: string, rp: RelyingParty) {
  return { expectedChallenge, expectedOrigin: rp.origin, expectedRPID: rp.id, requireUserVerification: true };
}

async function refusedAsNull<T>(verify: () => Promise<T | null>): Promise<T | null> {
  try {
    return await verify();
  } catch {
    return null;
  }
}

function verifyRegistration(
  response: RegistrationResponse,
  expectedChallenge: string,
  rp: RelyingParty,
): Promise<Omit<NewPasskey, 'name'> | null> {
  return refusedAsNull(async () => {
    const result = await verifyRegistrationResponse({
      response: { ...response, clientExtensionResults: {} } satisfies RegistrationResponseJSON,
      ...expectationsOf(expectedChallenge, rp),
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
    if (!result.verified) return null;
    const { credential, credentialBackedUp, credentialDeviceType } = result.registrationInfo;
    return {
      credentialId: credential.id,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      signCount: credential.counter,
      transports: credential.transports ?? [],
      backupEligible: credentialDeviceType === 'multiDevice',
      backedUp: credentialBackedUp,
    };
  });
}

/**
 * Options for proving a passkey: for a sign-in any passkey of this site (the browser offers the
 * discoverable ones, or fills them in as the email field's suggestions); for a step-up the
 * account's own.
 */
export function startPasskeyAssertion(
  purpose: 'sign_in' | 'step_up',
  user: User | null,
  rp: RelyingParty,
  secure: boolean,
  context: RequestContext,
): Promise<CeremonyStart<PublicKeyCredentialRequestOptionsJSON> | RateLimited> {
  return startCeremony(purpose, user, secure, context, (challenge, own) =>
    generateAuthenticationOptions({ rpID: rp.id, challenge, allowCredentials: own, userVerification: 'required' }),
  );
}

export type AssertionRefusal = 'rejected' | 'counter_decreased';

export type Assertion = { ok: true; user: User; passkey: Passkey } | { ok: false; reason: AssertionRefusal };

/**
 * A passkey's signature over the challenge, by a verified user, from our origin, for a passkey
 * on file (the account's own, when `userId` says whose it must be). The signature counter must
 * go up, unless the authenticator keeps none (0 before and after): an authentic signature with a
 * counter that went back comes from a copy of the key, so it is refused and the owner sees it in
 * the activity list. Every refusal of a known passkey is recorded against its account.
 */
export async function verifyPasskeyAssertion(
  response: AuthenticationResponse,
  challenge: ChallengeTaken,
  rp: RelyingParty,
  userId: string | null,
  context: RequestContext,
): Promise<Assertion> {
  if (!challenge.ok) return { ok: false, reason: 'rejected' };
  const passkey = await findPasskeyByCredentialId(response.id);
  if (passkey === null || (userId !== null && passkey.userId !== userId)) return { ok: false, reason: 'rejected' };
  const refuse = async (reason: AssertionRefusal): Promise<Assertion> => {
    const detail = reason === 'counter_decreased' ? 'passkey_counter' : 'passkey';
    await recordAuthEvent({ type: 'sign_in_failed', userId: passkey.userId, detail, context });
    return { ok: false, reason };
  };
  const verified = await verifySignature(response, challenge.challenge, passkey, rp);
  if (verified === null) return refuse('rejected');
  if (!(await recordPasskeyUse(passkey, verified.newCounter, verified.backedUp))) return refuse('counter_decreased');
  const user = await findUserById(passkey.userId);
  return user === null ? { ok: false, reason: 'rejected' } : { ok: true, user, passkey };
}

/**
 * The library compares counters too, but its refusal is one thrown message among many; the
 * counter is judged by recordPasskeyUse instead (in the statement that stores it), so the
 * library is handed 0 and checks the rest.
 */
function verifySignature(
  response: AuthenticationResponse,
  expectedChallenge: string,
  passkey: Passkey,
  rp: RelyingParty,
): Promise<{ newCounter: number; backedUp: boolean } | null> {
  return refusedAsNull(async () => {
    const credential = {
      id: passkey.credentialId,
      publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')),
      counter: 0,
      transports: passkey.transports,
    };
    const result = await verifyAuthenticationResponse({
      response: { ...response, clientExtensionResults: {} } satisfies AuthenticationResponseJSON,
      ...expectationsOf(expectedChallenge, rp),
      credential,
    });
    if (!result.verified) return null;
    return { newCounter: result.authenticationInfo.newCounter, backedUp: result.authenticationInfo.credentialBackedUp };
  });
}

/**
 * A passkey standing in for the current password before a sensitive change: the account's own
 * passkey, proved against a step-up challenge issued to this account. Answers what
 * stepUpForChange answers, so a change starts from the account whatever proved it.
 */
export async function stepUpWithPasskey(
  userId: string,
  response: AuthenticationResponse | null,
  challenge: ChallengeTaken,
  rp: RelyingParty | null,
  context: RequestContext,
): Promise<PasskeyStepUp> {
  if (response === null || rp === null) return PASSKEY_STEP_UP_REFUSED;
  const assertion = await verifyPasskeyAssertion(response, challenge, rp, userId, context);
  return assertion.ok ? { ok: true, user: assertion.user } : PASSKEY_STEP_UP_REFUSED;
}

export type PasskeyStepUp = StepUp | { ok: false; reason: 'passkey_rejected' };

const PASSKEY_STEP_UP_REFUSED = { ok: false, reason: 'passkey_rejected' } as const;
