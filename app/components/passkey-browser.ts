'use client';

import {
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  startAuthentication,
  startRegistration,
} from '@simplewebauthn/browser';
import { z } from 'zod';
import { MESSAGES } from '@/lib/messages';

/**
 * The browser half of the passkey ceremonies: ask our server for options (which sets the
 * challenge's cookie), let the browser's WebAuthn make or use the credential, hand back its answer.
 * A failure is the text to show, never a throw: a person who closes the browser's dialog has
 * simply not finished.
 */

const errorBody = z.object({ error: z.string() });

// The options come from our own server (lib/auth/passkey-ceremonies.ts), which builds them with
// @simplewebauthn/server; the check keeps a broken answer from reaching WebAuthn.
const requestOptions = z.object({
  options: z.custom<PublicKeyCredentialRequestOptionsJSON>(
    (value) => typeof value === 'object' && value !== null && 'challenge' in value,
  ),
});
const creationOptions = z.object({
  options: z.custom<PublicKeyCredentialCreationOptionsJSON>(
    (value) => typeof value === 'object' && value !== null && 'challenge' in value && 'user' in value,
  ),
});

export type Outcome<T> = { ok: true; value: T } | { ok: false; message: string | null };

/** A dialog the person closed (or a newer ceremony that took its place) has nothing to say. */
function cancelled(error: unknown): boolean {
  return error instanceof Error && (error.name === 'NotAllowedError' || error.name === 'AbortError');
}

async function failureOf(response: Response): Promise<Outcome<never>> {
  const body = errorBody.safeParse(await response.json().catch(() => null));
  return { ok: false, message: body.success ? body.data.error : MESSAGES.internal_error };
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
  schema: z.ZodType<{ options: Options }>,
  run: (options: Options) => Promise<Answer>,
): Promise<Outcome<Answer>> {
  try {
    const response = await postJson(optionsPath);
    if (!response.ok) return failureOf(response);
    const parsed = schema.safeParse(await response.json());
    if (!parsed.success) return { ok: false, message: MESSAGES.internal_error };
    return { ok: true, value: await run(parsed.data.options) };
  } catch (error) {
    return { ok: false, message: cancelled(error) ? null : MESSAGES.passkey_rejected };
  }
}

/** An assertion from one of this site's passkeys (`optionsPath` says for what), as JSON. */
export function provePasskey(optionsPath: string, useBrowserAutofill = false) {
  return ceremony(optionsPath, requestOptions, (optionsJSON) =>
    startAuthentication({ optionsJSON, useBrowserAutofill }),
  );
}

/** A new passkey for the signed-in account, as JSON for the add form. */
export function createPasskey() {
  return ceremony('/api/passkeys/registration/options', creationOptions, (optionsJSON) =>
    startRegistration({ optionsJSON }),
  );
}

export { failureOf };
