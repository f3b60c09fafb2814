'use server';

import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { writeExpiredSessionCookies } from '@/lib/auth/cookies';
import { getCurrentSession } from '@/lib/auth/current-user';
import {
  type AddressConfirmation,
  type AddressRestore,
  confirmationRequestSchema,
  confirmEmail,
  emailLinkSchema,
  requestConfirmationLink,
  resendConfirmation,
  revertEmailChange,
} from '@/lib/auth/email-verification';
import {
  type AccountFormState,
  accountNotice,
  accountRefusal,
  type EmailChangeState,
  typedEmail,
} from '@/lib/form-states';
import { type FaultCode, withActionBoundary } from '@/lib/http/boundary';
import { isSecureRequest, requestContext } from '@/lib/http/request-context';
import { issueCode } from '@/lib/rule-codes';

/**
 * The forms about an address: "send the link again" (signed in, or from the sign-in page with an
 * address), and the buttons on the pages a mailed link opens. Each works with JavaScript off.
 */

function refusalState(code: FaultCode, ..._args: unknown[]): AccountFormState {
  return accountRefusal(code);
}

export const resendConfirmationAction = withActionBoundary(
  'resendConfirmationAction',
  refusalState,
  async (_previous: AccountFormState, _formData: FormData): Promise<AccountFormState> => {
    const current = await getCurrentSession();
    if (!current) return accountRefusal('signed_out');
    const resent = await resendConfirmation(current.user, requestContext(await headers()));
    if (resent.ok) return accountNotice('confirmation_link_resent');
    if (resent.reason === 'already_verified') return accountNotice('email_already_verified');
    return { code: 'rate_limited', notice: null, retryAfterSeconds: resent.retryAfterSeconds };
  },
);

/** Over a limit nothing is sent, and the page still gives its one answer, as the reset form does. */
export const requestConfirmationLinkAction = withActionBoundary(
  'requestConfirmationLinkAction',
  (code: FaultCode, _previous: EmailChangeState, formData: FormData): EmailChangeState => ({
    ...accountRefusal(code),
    email: typedEmail(formData),
  }),
  async (_previous: EmailChangeState, formData: FormData): Promise<EmailChangeState> => {
    const form = confirmationRequestSchema.safeParse(Object.fromEntries(formData));
    if (!form.success) return { ...accountRefusal(issueCode(form.error)), email: typedEmail(formData) };
    await requestConfirmationLink(form.data.email, requestContext(await headers()));
    return { ...accountNotice('confirmation_link_sent'), email: form.data.email };
  },
);

function linkRefusal(refused: Exclude<AddressConfirmation | AddressRestore, { ok: true }>): AccountFormState {
  if (refused.reason === 'rate_limited') {
    return { code: 'rate_limited', notice: null, retryAfterSeconds: refused.retryAfterSeconds };
  }
  return accountRefusal(refused.reason === 'email_taken' ? 'email_taken' : 'email_link_invalid');
}

const linkForm = emailLinkSchema.extend({ token: z.string().default('') });

export const confirmEmailAction = withActionBoundary(
  'confirmEmailAction',
  refusalState,
  async (_previous: AccountFormState, formData: FormData): Promise<AccountFormState> => {
    const form = linkForm.safeParse(Object.fromEntries(formData));
    if (!form.success) return accountRefusal('email_link_invalid');
    const confirmed = await confirmEmail(form.data.token, requestContext(await headers()));
    if (!confirmed.ok) return linkRefusal(confirmed);
    redirect('/verify-email?confirmed=1');
  },
);

/** Every session ends, this browser's too: its cookies go at once, so the page shows it signed out. */
export const revertEmailChangeAction = withActionBoundary(
  'revertEmailChangeAction',
  refusalState,
  async (_previous: AccountFormState, formData: FormData): Promise<AccountFormState> => {
    const form = linkForm.safeParse(Object.fromEntries(formData));
    if (!form.success) return accountRefusal('email_link_invalid');
    const requestHeaders = await headers();
    const restored = await revertEmailChange(form.data.token, requestContext(requestHeaders));
    if (!restored.ok) return linkRefusal(restored);
    writeExpiredSessionCookies(await cookies(), isSecureRequest(requestHeaders));
    redirect('/revert-email?done=1');
  },
);
