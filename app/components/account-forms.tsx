'use client';

import { type ReactNode, useActionState } from 'react';
import { changeEmailAction, changePasswordAction } from '@/app/actions/account';
import { type AccountFormState, INITIAL_ACCOUNT_FORM, INITIAL_EMAIL_CHANGE } from '@/lib/form-states';
import { MIN_PASSWORD_LENGTH, messageText } from '@/lib/messages';
import { EmailField, FormError, FormNotice, PasswordField } from './auth-fields';
import { PasskeyStepUp } from './passkey-forms';
import { SubmitButton } from './submit-button';

/** A form's answer: the refusal's text (with the wait, when a limit stopped it) or the confirmation's. */
export function AccountFormMessages({ state }: { state: AccountFormState }) {
  return (
    <>
      <FormError message={state.code === null ? null : messageText(state.code, state)} />
      <FormNotice message={state.notice === null ? null : messageText(state.notice)} />
    </>
  );
}

/**
 * A form whose action answers with an account form's state: the answer's messages above the
 * fields, which may read the state (to put back what was typed). It works without JavaScript.
 */
export function AccountActionForm<State extends AccountFormState>(props: {
  action: (previous: Awaited<State>, formData: FormData) => Promise<State>;
  initial: Awaited<State>;
  testId: string;
  className?: string;
  children: ReactNode | ((state: Awaited<State>) => ReactNode);
}) {
  const [state, formAction] = useActionState(props.action, props.initial);
  return (
    <form action={formAction} className={props.className ?? 'stack'} data-testid={props.testId}>
      <AccountFormMessages state={state} />
      {typeof props.children === 'function' ? props.children(state) : props.children}
    </form>
  );
}

/**
 * Both changes ask for the current password, or one of the account's passkeys in its place
 * (`passkeyStepUp`): someone at an unlocked computer must not be able to take the account. Each
 * works as a plain form without JavaScript, with the password.
 */
export function ChangeEmailForm({ passkeyStepUp }: { passkeyStepUp: boolean }) {
  return (
    <AccountActionForm action={changeEmailAction} initial={INITIAL_EMAIL_CHANGE} testId="change-email">
      {(state) => (
        <>
          <EmailField label="New email" defaultValue={state.email} />
          <PasswordField label="Current password" name="current_password" autoComplete="current-password" />
          <SubmitButton label="Change email" pendingLabel="Changing email…" />
          {passkeyStepUp && <PasskeyStepUp label="Change email, confirming with a passkey" />}
        </>
      )}
    </AccountActionForm>
  );
}

export function ChangePasswordForm({ passkeyStepUp }: { passkeyStepUp: boolean }) {
  return (
    <AccountActionForm action={changePasswordAction} initial={INITIAL_ACCOUNT_FORM} testId="change-password">
      <PasswordField label="Current password" name="current_password" autoComplete="current-password" />
      <PasswordField label="New password" name="password" autoComplete="new-password" minLength={MIN_PASSWORD_LENGTH} />
      <p className="hint">At least {MIN_PASSWORD_LENGTH} characters.</p>
      <SubmitButton label="Change password" pendingLabel="Changing password…" />
      {passkeyStepUp && <PasskeyStepUp label="Change password, confirming with a passkey" />}
    </AccountActionForm>
  );
}
