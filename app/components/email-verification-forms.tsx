'use client';

import { useActionState } from 'react';
import {
  confirmEmailAction,
  requestConfirmationLinkAction,
  resendConfirmationAction,
  revertEmailChangeAction,
} from '@/app/actions/email-verification';
import { INITIAL_ACCOUNT_FORM, INITIAL_EMAIL_CHANGE } from '@/lib/form-states';
import { AccountFormMessages } from './account-forms';
import { EmailField } from './auth-fields';
import { SubmitButton } from './submit-button';

/** The banner's and the account page's "send the link again", for the signed-in owner. */
export function ResendConfirmationForm() {
  const [state, formAction] = useActionState(resendConfirmationAction, INITIAL_ACCOUNT_FORM);
  return (
    <form action={formAction} className="inline" data-testid="resend-confirmation">
      <AccountFormMessages state={state} />
      <SubmitButton label="Send the link again" pendingLabel="Sending…" className="secondary" />
    </form>
  );
}

/**
 * For someone who cannot sign in until the address is confirmed: the address is typed, or carried
 * over from the sign-in form just refused.
 */
export function RequestConfirmationLinkForm({ email }: { email?: string }) {
  const [state, formAction] = useActionState(requestConfirmationLinkAction, INITIAL_EMAIL_CHANGE);
  return (
    <form action={formAction} className="stack" data-testid="request-confirmation">
      <AccountFormMessages state={state} />
      {email === undefined ? (
        <EmailField defaultValue={state.email} />
      ) : (
        <input type="hidden" name="email" value={email} />
      )}
      <SubmitButton label="Send the link again" pendingLabel="Sending…" className="secondary" />
    </form>
  );
}

type LinkAction = typeof confirmEmailAction;

/** The token travels in the form: opening the link spends nothing, the button does. */
function EmailLinkForm(props: {
  token: string;
  action: LinkAction;
  label: string;
  pendingLabel: string;
  testId: string;
}) {
  const [state, formAction] = useActionState(props.action, INITIAL_ACCOUNT_FORM);
  return (
    <form action={formAction} className="stack" data-testid={props.testId}>
      <input type="hidden" name="token" value={props.token} />
      <AccountFormMessages state={state} />
      <SubmitButton label={props.label} pendingLabel={props.pendingLabel} />
    </form>
  );
}

export function ConfirmEmailForm({ token }: { token: string }) {
  return (
    <EmailLinkForm
      token={token}
      action={confirmEmailAction}
      label="Confirm my address"
      pendingLabel="Confirming…"
      testId="confirm-email"
    />
  );
}

export function RevertEmailForm({ token }: { token: string }) {
  return (
    <EmailLinkForm
      token={token}
      action={revertEmailChangeAction}
      label="Put my address back and sign out everywhere"
      pendingLabel="Putting it back…"
      testId="revert-email"
    />
  );
}
