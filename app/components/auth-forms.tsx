'use client';

import { useActionState } from 'react';
import { signInAction, signUpAction } from '@/app/actions/auth';
import { type AuthFormState, INITIAL_AUTH_FORM } from '@/lib/form-states';
import { MIN_PASSWORD_LENGTH, messageText } from '@/lib/messages';
import { EmailField, FormError, PasswordField } from './auth-fields';
import { RequestConfirmationLinkForm } from './email-verification-forms';
import { SubmitButton } from './submit-button';

function errorOf(state: AuthFormState): string | null {
  return state.code === null ? null : messageText(state.code, state);
}

/** `next` travels in the form, so the destination survives a failed attempt. */
export function SignInForm({ next }: { next: string }) {
  const [state, formAction] = useActionState(signInAction, INITIAL_AUTH_FORM);
  return (
    <>
      <form action={formAction} className="stack">
        <input type="hidden" name="next" value={next} />
        <FormError message={errorOf(state)} />
        <EmailField defaultValue={state.email} autoComplete="username webauthn" />
        <PasswordField autoComplete="current-password" />
        <SubmitButton label="Sign in" pendingLabel="Signing in…" />
      </form>
      {/* Email verification: the address is unconfirmed; another link can be asked for here. */}
      {state.code === 'email_unverified' && <RequestConfirmationLinkForm email={state.email} />}
    </>
  );
}

export function SignUpForm() {
  const [state, formAction] = useActionState(signUpAction, INITIAL_AUTH_FORM);
  return (
    <form action={formAction} className="stack">
      <FormError message={errorOf(state)} />
      <EmailField defaultValue={state.email} />
      <PasswordField autoComplete="new-password" minLength={MIN_PASSWORD_LENGTH} />
      <p className="hint">At least {MIN_PASSWORD_LENGTH} characters.</p>
      <SubmitButton label="Sign up" pendingLabel="Creating account…" />
    </form>
  );
}
