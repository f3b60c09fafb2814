'use server';

import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { after } from 'next/server';
import { writeSessionCookies } from '@/lib/auth/cookies';
import { requestPasswordReset, resetFormSchema, resetRequestSchema } from '@/lib/auth/password-reset';
import { resetPasswordAndSignIn } from '@/lib/auth/session-flow';
import { isPasswordResetEnabled } from '@/lib/config';
import {
  type AccountFormState,
  accountRefusal,
  RESET_REQUESTED,
  type ResetRequestState,
  resetRefusalState,
  typedEmail,
} from '@/lib/form-states';
import { type FaultCode, withActionBoundary } from '@/lib/http/boundary';
import { isSecureRequest, publicOrigin, requestContext } from '@/lib/http/request-context';
import { issueCode } from '@/lib/rule-codes';

/**
 * The forgotten-password forms: asking for a link, and choosing the new password with it. Both
 * work with JavaScript off, like every form here.
 */

export const requestPasswordResetAction = withActionBoundary(
  'requestPasswordResetAction',
  (code: FaultCode, _previous: ResetRequestState, formData: FormData): ResetRequestState => ({
    ...accountRefusal(code),
    email: typedEmail(formData),
  }),
  async (_previous: ResetRequestState, formData: FormData): Promise<ResetRequestState> => {
    if (!isPasswordResetEnabled()) return { ...accountRefusal('reset_disabled'), email: '' };
    const form = resetRequestSchema.safeParse(Object.fromEntries(formData));
    if (!form.success) return { ...accountRefusal(issueCode(form.error)), email: typedEmail(formData) };
    const requestHeaders = await headers();
    const context = requestContext(requestHeaders);
    const outcome = await requestPasswordReset(form.data.email, publicOrigin(requestHeaders), context);
    // Over a limit nothing is sent, and the page still gives its one answer: saying "too many"
    // here would only be true for some addresses' visitors, and would answer a guesser's question.
    if (outcome.ok) after(outcome.deliver);
    return RESET_REQUESTED;
  },
);

export const resetPasswordAction = withActionBoundary(
  'resetPasswordAction',
  (code: FaultCode, _previous: AccountFormState, _formData: FormData): AccountFormState => accountRefusal(code),
  async (_previous: AccountFormState, formData: FormData): Promise<AccountFormState> => {
    if (!isPasswordResetEnabled()) return accountRefusal('reset_disabled');
    const form = resetFormSchema.safeParse(Object.fromEntries(formData));
    if (!form.success) return accountRefusal(issueCode(form.error));
    const requestHeaders = await headers();
    const reset = await resetPasswordAndSignIn(form.data.token, form.data.password, requestContext(requestHeaders));
    if (!reset.ok) return resetRefusalState(reset);
    writeSessionCookies(await cookies(), isSecureRequest(requestHeaders), reset.tokens);
    redirect('/');
  },
);
