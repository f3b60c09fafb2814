'use server';

import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { readSessionCookies, writeExpiredSessionCookies, writeSessionCookies } from '@/lib/auth/cookies';
import { credentialsSchema, loginSchema } from '@/lib/auth/password-account';
import {
  readPendingStepCookie,
  secondStepPath,
  writeExpiredPendingStepCookie,
  writePendingStepCookie,
} from '@/lib/auth/pending-step-cookie';
import { safeNextPath } from '@/lib/auth/redirects';
import { signOut } from '@/lib/auth/session-flow';
import { completeSecondFactor, signIn, signUp } from '@/lib/auth/sign-in';
import { declareAction } from '@/lib/declared-action';
import {
  type AuthFormState,
  accountRefusal,
  type FormRefusal,
  secondStepRefusal,
  signInRefusalState,
  typedEmail,
} from '@/lib/form-states';
import { isSecureRequest } from '@/lib/http/request-context';

/**
 * The sign-in, sign-up and sign-out forms. Each works with JavaScript off (the browser posts the
 * form and Next answers with the page and this state, or with a 303 for a redirect) and without
 * a page load when it is on. Session cookies come from the one factory in lib/auth/cookies.ts.
 */

function refused({ code, retryAfterSeconds }: FormRefusal, formData: FormData): AuthFormState {
  return { code, email: typedEmail(formData), retryAfterSeconds };
}

export const signInAction = declareAction(
  {
    name: 'signInAction',
    auth: 'none',
    input: loginSchema.extend({ next: z.string().optional() }),
    refuse: refused,
  },
  async ({ input, context, headers, formData }) => {
    const session = await signIn(input, 'browser', context);
    if (!session.ok && session.reason === 'second_factor_required') {
      writePendingStepCookie(await cookies(), isSecureRequest(headers), session.challenge);
      redirect(secondStepPath(safeNextPath(input.next)));
    }
    if (!session.ok) return signInRefusalState(session, typedEmail(formData));
    writeSessionCookies(await cookies(), isSecureRequest(headers), session.tokens);
    redirect(safeNextPath(input.next));
  },
);

/**
 * The second step of a sign-in: the code (or a recovery code) for the pending step this browser's
 * cookie names. A step that is over clears the cookie, and the page offers to sign in again.
 */
export const secondFactorAction = declareAction(
  {
    name: 'secondFactorAction',
    auth: 'none',
    input: z.object({ code: z.string().trim().min(1).max(64), next: z.string().optional() }),
    refuse: ({ code, retryAfterSeconds }) => accountRefusal(code, retryAfterSeconds),
  },
  async ({ input, context, headers, refuse }) => {
    const store = await cookies();
    const secure = isSecureRequest(headers);
    const challengeId = readPendingStepCookie(store, secure);
    if (challengeId === undefined) return refuse('mfa_challenge_invalid');
    const session = await completeSecondFactor(challengeId, input.code, 'browser', context);
    if (!session.ok) {
      if (session.reason === 'challenge_invalid') writeExpiredPendingStepCookie(store, secure);
      return secondStepRefusal(session);
    }
    writeExpiredPendingStepCookie(store, secure);
    writeSessionCookies(store, secure, session.tokens);
    redirect(safeNextPath(input.next));
  },
);

export const signUpAction = declareAction(
  { name: 'signUpAction', auth: 'none', input: credentialsSchema, refuse: refused },
  async ({ input, context, headers, formData, refuse }) => {
    const created = await signUp(input, 'browser', context);
    // When addresses must be confirmed, the session waits for the mailed link.
    if (!created.ok && created.reason === 'email_unverified') redirect('/verify-email?sent=1');
    if (!created.ok) {
      return created.reason === 'rate_limited'
        ? signInRefusalState(created, typedEmail(formData))
        : refuse('email_taken');
    }
    writeSessionCookies(await cookies(), isSecureRequest(headers), created.tokens);
    redirect('/');
  },
);

/**
 * The cookies are cleared before the session is ended in the database, so that even when the
 * database cannot be reached this browser forgets the session.
 */
export const signOutAction = declareAction({ name: 'signOutAction', auth: 'none' }, async ({ context, headers }) => {
  const store = await cookies();
  const secure = isSecureRequest(headers);
  const tokens = readSessionCookies(store, secure);
  writeExpiredSessionCookies(store, secure);
  await signOut(tokens, context);
  redirect('/login');
});
