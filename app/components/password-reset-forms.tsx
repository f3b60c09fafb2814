'use client';

import { useActionState } from 'react';
import { requestPasswordResetAction, resetPasswordAction } from '@/app/actions/password-reset';
import { INITIAL_ACCOUNT_FORM, INITIAL_RESET_REQUEST } from '@/lib/form-states';
import { MIN_PASSWORD_LENGTH } from '@/lib/messages';
import { AccountFormMessages } from './account-forms';
import { EmailField, PasswordField } from './auth-fields';
import { SubmitButton } from './submit-button';

export function ForgotPasswordForm() {
  const [state, formAction] = useActionState(requestPasswordResetAction, INITIAL_RESET_REQUEST);
  return (
    <form action={formAction} className="stack" data-testid="forgot-password">
      <AccountFormMessages state={state} />
      <EmailField defaultValue={state.email} />
      <SubmitButton label="Send me a link" pendingLabel="Sending…" />
    </form>
  );
}

/** The token travels in the form, so a refused attempt can be tried again from the same page. */
export function ResetPasswordForm({ token }: { token: string }) {
  const [state, formAction] = useActionState(resetPasswordAction, INITIAL_ACCOUNT_FORM);
  return (
    <form action={formAction} className="stack" data-testid="reset-password">
      <input type="hidden" name="token" value={token} />
      <AccountFormMessages state={state} />
      <PasswordField label="New password" name="password" autoComplete="new-password" minLength={MIN_PASSWORD_LENGTH} />
      <PasswordField
        label="New password, again"
        name="password_confirmation"
        autoComplete="new-password"
        minLength={MIN_PASSWORD_LENGTH}
      />
      <p className="hint">At least {MIN_PASSWORD_LENGTH} characters.</p>
      <SubmitButton label="Set the new password" pendingLabel="Setting the password…" />
    </form>
  );
}
