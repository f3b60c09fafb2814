'use client';

import {
  confirmEmailAction,
  requestConfirmationLinkAction,
  resendConfirmationAction,
  revertEmailChangeAction,
} from '@/app/actions/email-verification';
import { INITIAL_ACCOUNT_FORM, INITIAL_EMAIL_CHANGE } from '@/lib/form-states';
import { AccountActionForm } from './account-forms';
import { EmailField } from './auth-fields';
import { SubmitButton } from './submit-button';

function SendAgainButton() {
  return <SubmitButton label="Send the link again" pendingLabel="Sending…" className="secondary" />;
}

/** The banner's and the account page's "send the link again", for the signed-in owner. */
export function ResendConfirmationForm() {
  return (
    <AccountActionForm
      action={resendConfirmationAction}
      initial={INITIAL_ACCOUNT_FORM}
      testId="resend-confirmation"
      className="inline"
    >
      <SendAgainButton />
    </AccountActionForm>
  );
}

/**
 * For someone who cannot sign in until the address is confirmed: the address is typed, or carried
 * over from the sign-in form just refused.
 */
export function RequestConfirmationLinkForm({ email }: { email?: string }) {
  return (
    <AccountActionForm
      action={requestConfirmationLinkAction}
      initial={INITIAL_EMAIL_CHANGE}
      testId="request-confirmation"
    >
      {(state) => (
        <>
          {email === undefined ? (
            <EmailField defaultValue={state.email} />
          ) : (
            <input type="hidden" name="email" value={email} />
          )}
          <SendAgainButton />
        </>
      )}
    </AccountActionForm>
  );
}

/** The token travels in the form: opening the link spends nothing, the button does. */
export function ConfirmEmailForm({ token }: { token: string }) {
  return (
    <AccountActionForm action={confirmEmailAction} initial={INITIAL_ACCOUNT_FORM} testId="confirm-email">
      <input type="hidden" name="token" value={token} />
      <SubmitButton label="Confirm my address" pendingLabel="Confirming…" />
    </AccountActionForm>
  );
}

export function RevertEmailForm({ token }: { token: string }) {
  return (
    <AccountActionForm action={revertEmailChangeAction} initial={INITIAL_ACCOUNT_FORM} testId="revert-email">
      <input type="hidden" name="token" value={token} />
      <SubmitButton label="Put my address back and sign out everywhere" pendingLabel="Putting it back…" />
    </AccountActionForm>
  );
}
