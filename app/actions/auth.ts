'use server';

import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { readSessionCookies, writeExpiredSessionCookies, writeSessionCookies } from '@/lib/auth/cookies';
import { credentialsSchema, loginSchema } from '@/lib/auth/password-account';
import { safeNextPath } from '@/lib/auth/redirects';
import { signIn, signOut, signUp } from '@/lib/auth/session-flow';
import { type AuthFormState, signInRefusalState, typedEmail } from '@/lib/form-states';
import { type FaultCode, withActionBoundary } from '@/lib/http/boundary';
import { isSecureRequest, requestContext } from '@/lib/http/request-context';
import { issueCode } from '@/lib/rule-codes';

/**
 * The sign-in, sign-up and sign-out forms. Each works with JavaScript off (the browser posts the
 * form and Next answers with the page and this state, or with a 303 for a redirect) and without
 * a page load when it is on. Session cookies come from the one factory in lib/auth/cookies.ts.
 */

function refused(code: AuthFormState['code'], formData: FormData): AuthFormState {
  return { code, email: typedEmail(formData), retryAfterSeconds: null };
}

function fault(code: FaultCode, _previous: AuthFormState, formData: FormData): AuthFormState {
  return refused(code, formData);
}

const signInForm = loginSchema.extend({ next: z.string().optional() });

export const signInAction = withActionBoundary(
  'signInAction',
  fault,
  async (_previous: AuthFormState, formData: FormData): Promise<AuthFormState> => {
    const form = signInForm.safeParse(Object.fromEntries(formData));
    if (!form.success) return refused(issueCode(form.error), formData);
    const requestHeaders = await headers();
    const session = await signIn(form.data, 'browser', requestContext(requestHeaders));
    if (!session.ok) return signInRefusalState(session, typedEmail(formData));
    writeSessionCookies(await cookies(), isSecureRequest(requestHeaders), session.tokens);
    redirect(safeNextPath(form.data.next));
  },
);

export const signUpAction = withActionBoundary(
  'signUpAction',
  fault,
  async (_previous: AuthFormState, formData: FormData): Promise<AuthFormState> => {
    const form = credentialsSchema.safeParse(Object.fromEntries(formData));
    if (!form.success) return refused(issueCode(form.error), formData);
    const requestHeaders = await headers();
    const created = await signUp(form.data, 'browser', requestContext(requestHeaders));
    // Email verification: when required, no session until the mailed link is followed.
    if (!created.ok && created.reason === 'email_unverified') redirect('/verify-email?sent=1');
    if (!created.ok) {
      return created.reason === 'rate_limited'
        ? signInRefusalState(created, typedEmail(formData))
        : refused('email_taken', formData);
    }
    writeSessionCookies(await cookies(), isSecureRequest(requestHeaders), created.tokens);
    redirect('/');
  },
);

/**
 * The cookies are cleared before the session is ended in the database, so that even when the
 * database cannot be reached this browser forgets the session.
 */
export const signOutAction = withActionBoundary(
  'signOutAction',
  () => undefined,
  async (): Promise<undefined> => {
    const store = await cookies();
    const requestHeaders = await headers();
    const secure = isSecureRequest(requestHeaders);
    const tokens = readSessionCookies(store, secure);
    writeExpiredSessionCookies(store, secure);
    await signOut(tokens, requestContext(requestHeaders));
    redirect('/login');
  },
);
