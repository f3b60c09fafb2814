'use client';

import {
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  startAuthentication,
  startRegistration,
} from '@simplewebauthn/browser';
import { MESSAGES } from '@/lib/messages';

/**
 * The browser half of the passkey ceremonies: ask our server for options (which sets the
 * challenge's cookie), let the browser's WebAuthn make or use the credential, hand back its answer.
 * A failure is the text to show, never a throw: a person who closes the browser's dialog has
 * simply not finished.
 */

// Zod stays out of the browser bundle: its first parse probes for eval with new Function(), which
// the pages' script policy refuses, and the browser reports the refusal as a violation. The
// answers come from our own server (lib/auth/passkey-ceremonies.ts, built by
// @simplewebauthn/server); these checks keep a broken one from reaching WebAuthn.
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isRequestOptions(value: unknown): value is PublicKeyCredentialRequestOptionsJSON {
  return isRecord(value) && typeof value.challenge === 'string';
}

function isCreationOptions(value: unknown): value is PublicKeyCredentialCreationOptionsJSON {
  return isRecord(value) && typeof value.challenge === 'string' && isRecord(value.rp) && isRecord(value.user);
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; message: string | null };

/** A dialog the person closed (or a newer ceremony that took its place) has nothing to say. */
function cancelled(error: unknown): boolean {
  return error instanceof Error && (error.name === 'NotAllowedError' || error.name === 'AbortError');
}

async function failureOf(response: Response): Promise<Outcome<never>> {
  const body: unknown = await response.json().catch(() => null);
  return {
    ok: false,
    message: isRecord(body) && typeof body.error === 'string' ? body.error : MESSAGES.internal_error,
  };
}

export async function postJson(path: string, body?: unknown): Promise<Response> {
  return fetch(path, {
    method: 'POST',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function ceremony<Options, Answer>(
  optionsPath: string,
  isOptions: (value: unknown) => value is Options,
  run: (options: Options) => Promise<Answer>,
): Promise<Outcome<Answer>> {
  try {
    const response = await postJson(optionsPath);
    if (!response.ok) return failureOf(response);
    const body: unknown = await response.json();
    if (!isRecord(body) || !isOptions(body.options)) return { ok: false, message: MESSAGES.internal_error };
    return { ok: true, value: await run(body.options) };
  } catch (error) {
    return { ok: false, message: cancelled(error) ? null : MESSAGES.passkey_rejected };
  }
}

/** An assertion from one of this site's passkeys (`optionsPath` says for what), as JSON. */
export function provePasskey(optionsPath: string, useBrowserAutofill = false) {
  return ceremony(optionsPath, isRequestOptions, (optionsJSON) =>
    startAuthentication({ optionsJSON, useBrowserAutofill }),
  );
}

/** A new passkey for the signed-in account, as JSON for the add form. */
export function createPasskey() {
  return ceremony('/api/passkeys/registration/options', isCreationOptions, (optionsJSON) =>
    startRegistration({ optionsJSON }),
  );
}

export { failureOf };
