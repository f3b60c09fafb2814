'use server';

import { refresh } from 'next/cache';
import { headers } from 'next/headers';
import { z } from 'zod';
import { getCurrentSession } from '@/lib/auth/current-user';
import { changeEmail, changePassword, emailChangeSchema, passwordChangeSchema } from '@/lib/auth/password-account';
import { endOtherSessions, endSession, sessionIdSchema } from '@/lib/auth/sessions';
import {
  type AccountFormState,
  accountChangeState,
  accountRefusal,
  type EmailChangeState,
  emailChangeState,
  otherSessionsEndState,
  sessionEndState,
  typedEmail,
} from '@/lib/form-states';
import { type FaultCode, withActionBoundary } from '@/lib/http/boundary';
import { requestContext } from '@/lib/http/request-context';
import { issueCode } from '@/lib/rule-codes';

/**
 * The account page: changing the email or the password, and ending sessions. Each action checks
 * who is asking itself (an action is an endpoint anyone can post to) and acts for the session
 * that asked, which a credentials change keeps and the session list never offers to end. The
 * browser's cookies name that session and nothing here rotates it, so they stay valid: the
 * person making the change stays signed in. On success, refresh() sends the re-rendered page
 * (the header's address, the session list, the activity) back with the answer.
 */

export const changeEmailAction = withActionBoundary(
  'changeEmailAction',
  (code: FaultCode, _previous: EmailChangeState, formData: FormData): EmailChangeState => ({
    ...accountRefusal(code),
    email: typedEmail(formData),
  }),
  async (_previous: EmailChangeState, formData: FormData): Promise<EmailChangeState> => {
    const email = typedEmail(formData);
    const current = await getCurrentSession();
    if (!current) return { ...accountRefusal('signed_out'), email };
    const form = emailChangeSchema.safeParse(Object.fromEntries(formData));
    if (!form.success) return { ...accountRefusal(issueCode(form.error)), email };
    const unchanged = form.data.email === current.user.email;
    const context = requestContext(await headers());
    const { user, sessionId } = current;
    const change = await changeEmail(user.id, form.data.current_password, form.data.email, sessionId, context);
    if (change.ok) refresh();
    return emailChangeState(change, unchanged, email);
  },
);

export const changePasswordAction = withActionBoundary(
  'changePasswordAction',
  (code: FaultCode, _previous: AccountFormState, _formData: FormData): AccountFormState => accountRefusal(code),
  async (_previous: AccountFormState, formData: FormData): Promise<AccountFormState> => {
    const current = await getCurrentSession();
    if (!current) return accountRefusal('signed_out');
    const form = passwordChangeSchema.safeParse(Object.fromEntries(formData));
    if (!form.success) return accountRefusal(issueCode(form.error));
    const context = requestContext(await headers());
    const { user, sessionId } = current;
    const change = await changePassword(user.id, form.data.current_password, form.data.password, sessionId, context);
    if (change.ok) refresh();
    return accountChangeState(change, 'password_changed');
  },
);

const endSessionForm = z.object({ session_id: sessionIdSchema });

export const endSessionAction = withActionBoundary(
  'endSessionAction',
  (code: FaultCode, _previous: AccountFormState, _formData: FormData): AccountFormState => accountRefusal(code),
  async (_previous: AccountFormState, formData: FormData): Promise<AccountFormState> => {
    const current = await getCurrentSession();
    if (!current) return accountRefusal('signed_out');
    const form = endSessionForm.safeParse(Object.fromEntries(formData));
    // This device signs out with the header's Sign out, which also clears its cookies.
    if (!form.success || form.data.session_id === current.sessionId) return accountRefusal('invalid_form');
    const ended = await endSession(current.user.id, form.data.session_id, requestContext(await headers()));
    // Refreshed either way: a session that had already ended should leave the list too.
    refresh();
    return sessionEndState(ended);
  },
);

export const endOtherSessionsAction = withActionBoundary(
  'endOtherSessionsAction',
  (code: FaultCode, _previous: AccountFormState, _formData: FormData): AccountFormState => accountRefusal(code),
  async (_previous: AccountFormState, _formData: FormData): Promise<AccountFormState> => {
    const current = await getCurrentSession();
    if (!current) return accountRefusal('signed_out');
    const ended = await endOtherSessions(current.user.id, current.sessionId, requestContext(await headers()));
    refresh();
    return otherSessionsEndState(ended);
  },
);
