'use server';

import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { writeExpiredSessionCookies } from '@/lib/auth/cookies';
import {
  type AddressConfirmation,
  type AddressRestore,
  confirmationRequestSchema,
  confirmEmail,
  requestConfirmationLink,
  resendConfirmation,
  revertEmailChange,
} from '@/lib/auth/email-verification';
import { declareAction } from '@/lib/declared-action';
import {
  type AccountFormState,
  accountNotice,
  accountRefusal,
  type EmailChangeState,
  type FormRefusal,
  typedEmail,
} from '@/lib/form-states';
import { isSecureRequest } from '@/lib/http/request-context';

/**
 * The forms about an address: "send the link again" (signed in, or from the sign-in page with an
 * address), and the buttons on the pages a mailed link opens. Each works with JavaScript off.
 */

function refused({ code, retryAfterSeconds }: FormRefusal): AccountFormState {
  return accountRefusal(code, retryAfterSeconds);
}

export const resendConfirmationAction = declareAction(
  { name: 'resendConfirmationAction', auth: 'session', refuse: refused },
  async ({ session, context, refuse }) => {
    const resent = await resendConfirmation(session.user, context);
    if (resent.ok) return accountNotice('confirmation_link_resent');
    if (resent.reason === 'already_verified') return accountNotice('email_already_verified');
    return refuse('rate_limited', resent.retryAfterSeconds);
  },
);

/** Over a limit nothing is sent, and the page still gives its one answer, as the reset form does. */
export const requestConfirmationLinkAction = declareAction(
  {
    name: 'requestConfirmationLinkAction',
    auth: 'none',
    input: confirmationRequestSchema,
    refuse: (refusal, formData): EmailChangeState => ({ ...refused(refusal), email: typedEmail(formData) }),
  },
  async ({ input, context }) => {
    await requestConfirmationLink(input.email, context);
    return { ...accountNotice('confirmation_link_sent'), email: input.email };
  },
);

function linkRefusal(refused: Exclude<AddressConfirmation | AddressRestore, { ok: true }>): AccountFormState {
  if (refused.reason === 'rate_limited') return accountRefusal('rate_limited', refused.retryAfterSeconds);
  return accountRefusal(refused.reason === 'email_taken' ? 'email_taken' : 'email_link_invalid');
}

// A token that is missing or not text is a link like any other bad one: refused as such when it is checked.
const linkForm = z.object({ token: z.string().catch('') });

export const confirmEmailAction = declareAction(
  { name: 'confirmEmailAction', auth: 'none', input: linkForm, refuse: refused },
  async ({ input, context }) => {
    const confirmed = await confirmEmail(input.token, context);
    if (!confirmed.ok) return linkRefusal(confirmed);
    redirect('/verify-email?confirmed=1');
  },
);

/** Every session ends, this browser's too: its cookies go at once, so the page shows it signed out. */
export const revertEmailChangeAction = declareAction(
  { name: 'revertEmailChangeAction', auth: 'none', input: linkForm, refuse: refused },
  async ({ input, context, headers }) => {
    const restored = await revertEmailChange(input.token, context);
    if (!restored.ok) return linkRefusal(restored);
    writeExpiredSessionCookies(await cookies(), isSecureRequest(headers));
    redirect('/revert-email?done=1');
  },
);
