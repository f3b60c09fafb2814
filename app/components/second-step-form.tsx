'use client';

import Link from 'next/link';
import { useActionState } from 'react';
import { secondFactorAction } from '@/app/actions/auth';
import { INITIAL_ACCOUNT_FORM } from '@/lib/form-states';
import { messageText } from '@/lib/messages';
import { FormError } from './auth-fields';
import { SubmitButton } from './submit-button';

/**
 * The second step of signing in: the 6-digit code from the app, or one recovery code. A step that
 * is over (expired, out of tries) says so and links back to the password.
 */
export function SecondStepForm({ next }: { next: string }) {
  const [state, formAction] = useActionState(secondFactorAction, INITIAL_ACCOUNT_FORM);
  if (state.code === 'mfa_challenge_invalid') {
    return (
      <div className="stack">
        <FormError message={messageText(state.code)} />
        <p>
          <Link href="/login">Sign in again</Link>
        </p>
      </div>
    );
  }
  return (
    <form action={formAction} className="stack" data-testid="second-step">
      <input type="hidden" name="next" value={next} />
      <FormError message={state.code === null ? null : messageText(state.code, state)} />
      <label>
        Code
        <input
          name="code"
          type="text"
          autoComplete="one-time-code"
          spellCheck={false}
          maxLength={64}
          required
          // biome-ignore lint/a11y/noAutofocus: the page holds this one field, reached right after the password
          autoFocus
        />
      </label>
      <p className="hint">The 6-digit code from your authenticator app, or one of your recovery codes.</p>
      <SubmitButton label="Continue" pendingLabel="Checking…" />
    </form>
  );
}
