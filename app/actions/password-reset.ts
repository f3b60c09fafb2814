'use server';

import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { after } from 'next/server';
import { writeSessionCookies } from '@/lib/auth/cookies';
import { requestPasswordReset, resetFormSchema, resetRequestSchema } from '@/lib/auth/password-reset';
import { secondStepPath, writePendingStepCookie } from '@/lib/auth/pending-step-cookie';
import { resetPasswordAndSignIn } from '@/lib/auth/sign-in';
import { isPasswordResetEnabled } from '@/lib/config';
import { declareAction } from '@/lib/declared-action';
import {
  accountRefusal,
  RESET_REQUESTED,
  type ResetRequestState,
  resetRefusalState,
  typedEmail,
} from '@/lib/form-states';
import { isSecureRequest, publicOrigin } from '@/lib/http/request-context';

/**
 * The forgotten-password forms: asking for a link, and choosing the new password with it. Both
 * work with JavaScript off, like every form here, and both are closed while resets are off.
 */

const closed = () => (isPasswordResetEnabled() ? null : 'reset_disabled');

export const requestPasswordResetAction = declareAction(
  {
    name: 'requestPasswordResetAction',
    auth: 'none',
    closed,
    input: resetRequestSchema,
    refuse: ({ code, retryAfterSeconds }, formData): ResetRequestState => ({
      ...accountRefusal(code, retryAfterSeconds),
      email: typedEmail(formData),
    }),
  },
  async ({ input, context, headers }) => {
    const outcome = await requestPasswordReset(input.email, publicOrigin(headers), context);
    // Over a limit nothing is sent, and the page still gives its one answer: saying "too many"
    // here would only be true for some addresses' visitors, and would answer a guesser's question.
    if (outcome.ok) after(outcome.deliver);
    return RESET_REQUESTED;
  },
);

export const resetPasswordAction = declareAction(
  {
    name: 'resetPasswordAction',
    auth: 'none',
    closed,
    input: resetFormSchema,
    refuse: ({ code, retryAfterSeconds }) => accountRefusal(code, retryAfterSeconds),
  },
  async ({ input, context, headers }) => {
    const reset = await resetPasswordAndSignIn(input.token, input.password, context);
    // The link proves the inbox, not the second factor: an account with one is asked for it now.
    if (!reset.ok && reset.reason === 'second_factor_required') {
      writePendingStepCookie(await cookies(), isSecureRequest(headers), reset.challenge);
      redirect(secondStepPath('/'));
    }
    // The new password is set; while addresses must be confirmed, the session waits for the link.
    if (!reset.ok && reset.reason === 'email_unverified') redirect('/verify-email?sent=1');
    if (!reset.ok) return resetRefusalState(reset);
    writeSessionCookies(await cookies(), isSecureRequest(headers), reset.tokens);
    redirect('/');
  },
);
