'use server';

import { refresh } from 'next/cache';
import { z } from 'zod';
import { changeEmail, changePassword, emailChangeSchema, passwordChangeSchema } from '@/lib/auth/password-account';
import { endOtherSessions, endSession, sessionIdSchema } from '@/lib/auth/sessions';
import { declareAction } from '@/lib/declared-action';
import {
  accountChangeState,
  accountFormRefusal,
  type EmailChangeState,
  emailChangeState,
  otherSessionsEndState,
  sessionEndState,
  typedEmail,
} from '@/lib/form-states';

/**
 * The account page: changing the email or the password, and ending sessions. Each acts for the
 * session that asked, which a credentials change keeps and the session list never offers to end.
 * The browser's cookies name that session and nothing here rotates it, so they stay valid: the
 * person making the change stays signed in. On success, refresh() sends the re-rendered page
 * (the header's address, the session list, the activity) back with the answer.
 */

export const changeEmailAction = declareAction(
  {
    name: 'changeEmailAction',
    auth: 'session',
    input: emailChangeSchema,
    stepUp: 'current_password_or_passkey',
    refuse: (refusal, formData): EmailChangeState => ({ ...accountFormRefusal(refusal), email: typedEmail(formData) }),
  },
  async ({ input, session, account, context, formData }) => {
    const change = await changeEmail(account, input.email, session.sessionId, context);
    if (change.ok) refresh();
    return emailChangeState(change, input.email === session.user.email, typedEmail(formData));
  },
);

export const changePasswordAction = declareAction(
  {
    name: 'changePasswordAction',
    auth: 'session',
    input: passwordChangeSchema,
    stepUp: 'current_password_or_passkey',
    refuse: accountFormRefusal,
  },
  async ({ input, session, account, context }) => {
    const change = await changePassword(account, input.password, session.sessionId, context);
    if (change.ok) refresh();
    return accountChangeState(change, 'password_changed');
  },
);

export const endSessionAction = declareAction(
  {
    name: 'endSessionAction',
    auth: 'session',
    input: z.object({ session_id: sessionIdSchema }),
    refuse: accountFormRefusal,
  },
  async ({ input, session, context, refuse }) => {
    // This device signs out with the header's Sign out, which also clears its cookies.
    if (input.session_id === session.sessionId) return refuse('invalid_form');
    const ended = await endSession(session.user.id, input.session_id, context);
    // Refreshed either way: a session that had already ended should leave the list too.
    refresh();
    return sessionEndState(ended);
  },
);

export const endOtherSessionsAction = declareAction(
  { name: 'endOtherSessionsAction', auth: 'session', refuse: accountFormRefusal },
  async ({ session, context }) => {
    const ended = await endOtherSessions(session.user.id, session.sessionId, context);
    refresh();
    return otherSessionsEndState(ended);
  },
);
