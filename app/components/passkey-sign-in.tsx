'use client';

import { browserSupportsWebAuthn, browserSupportsWebAuthnAutofill } from '@simplewebauthn/browser';
import { useCallback, useEffect, useState } from 'react';
import { FormError } from './auth-fields';
import { failureOf, postJson, provePasskey } from './passkey-browser';

/** `reached`: the browser produced an assertion and the server had its say. */
type Attempt = { signedIn: true } | { signedIn: false; message: string | null; reached: boolean };

/**
 * A passkey sign-in from the browser: options, the browser's dialog (or, with autofill, the
 * passkey the person picks among the email field's suggestions), then the session. A closed
 * dialog has nothing to say (`message: null`).
 */
async function signInWithPasskey(useBrowserAutofill: boolean, onSigningIn: () => void): Promise<Attempt> {
  const assertion = await provePasskey('/api/passkeys/sign-in/options', useBrowserAutofill);
  if (!assertion.ok) return { signedIn: false, message: assertion.message, reached: false };
  onSigningIn();
  const response = await postJson('/api/passkeys/sign-in', { response: assertion.value });
  if (response.ok) return { signedIn: true };
  const failure = await failureOf(response);
  return { signedIn: false, message: failure.ok ? null : failure.message, reached: true };
}

/**
 * "Sign in with a passkey", and the browser's own suggestion of passkeys in the email field
 * (conditional UI) where it offers one. Both end in the same session a password starts, then go
 * to `next`. Without JavaScript the button cannot work, and the page says so.
 */
export function PasskeySignIn({ next }: { next: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [supported, setSupported] = useState(true);

  const run = useCallback(
    async (useBrowserAutofill: boolean) => {
      const attempt = await signInWithPasskey(useBrowserAutofill, () => setBusy(true));
      if (attempt.signedIn) {
        window.location.assign(next);
        return;
      }
      setBusy(false);
      // The autofill request runs unasked, on every visit: only a passkey the person picked and
      // the server refused is worth a message, never a browser that declined to offer any.
      if (attempt.message !== null && (!useBrowserAutofill || attempt.reached)) setError(attempt.message);
    },
    [next],
  );

  useEffect(() => {
    setSupported(browserSupportsWebAuthn());
    // The autofill request waits until the person picks a passkey, or a click starts another.
    void browserSupportsWebAuthnAutofill().then((autofill) => {
      if (autofill) void run(true);
    });
  }, [run]);

  return (
    <div className="stack" data-testid="passkey-sign-in">
      <FormError message={error} />
      <noscript>
        <p className="hint">Signing in with a passkey needs JavaScript. Your password works without it.</p>
      </noscript>
      {supported ? (
        <button
          type="button"
          className="secondary"
          disabled={busy}
          onClick={() => {
            setError(null);
            void run(false);
          }}
        >
          {busy ? 'Signing in…' : 'Sign in with a passkey'}
        </button>
      ) : (
        <p className="hint">This browser cannot use passkeys.</p>
      )}
    </div>
  );
}
