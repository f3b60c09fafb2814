'use server';

import { refresh } from 'next/cache';
import { z } from 'zod';
import {
  confirmTotpEnrolment,
  regenerateRecoveryCodes,
  startTotpEnrolment,
  turnOffTotp,
} from '@/lib/auth/second-factor';
import { declareAction } from '@/lib/declared-action';
import { changeRefusal, totpNotice, totpRefusal } from '@/lib/form-states';

/**
 * The account page's two-step sign-in: set it up (the current password, then a first code from
 * the app), make new recovery codes (the current password), turn it off (the current password and
 * a code). One of the account's passkeys may stand in for the current password, never for the
 * code. Each works as a plain form without JavaScript; refresh() sends the page back in its new
 * state, and the recovery codes travel only in the answer's form state, shown once.
 */

const code = z.string().trim().min(1).max(64);

export const startTotpAction = declareAction(
  {
    name: 'startTotpAction',
    auth: 'session',
    stepUp: 'current_password_or_passkey',
    refuse: totpRefusal,
  },
  async ({ account, refuse }) => {
    const started = await startTotpEnrolment(account.id);
    if (!started.ok) return refuse('totp_already_on');
    refresh();
    return totpNotice('totp_enrolment_started');
  },
);

export const confirmTotpAction = declareAction(
  { name: 'confirmTotpAction', auth: 'session', input: z.object({ code }), refuse: totpRefusal },
  async ({ input, session, context, refuse }) => {
    const enrolled = await confirmTotpEnrolment(session.user.id, input.code, context);
    if (!enrolled.ok) return refuse(enrolled.reason === 'wrong_code' ? 'totp_code_invalid' : 'totp_not_pending');
    refresh();
    return totpNotice('totp_enabled', enrolled.recoveryCodes);
  },
);

export const regenerateRecoveryCodesAction = declareAction(
  {
    name: 'regenerateRecoveryCodesAction',
    auth: 'session',
    stepUp: 'current_password_or_passkey',
    refuse: totpRefusal,
  },
  async ({ account, context, refuse }) => {
    const made = await regenerateRecoveryCodes(account, context);
    if (!made.ok) return refuse('totp_not_on');
    refresh();
    return totpNotice('recovery_codes_regenerated', made.recoveryCodes);
  },
);

export const turnOffTotpAction = declareAction(
  {
    name: 'turnOffTotpAction',
    auth: 'session',
    input: z.object({ code }),
    stepUp: 'current_password_or_passkey',
    refuse: totpRefusal,
  },
  async ({ input, account, context, refuse }) => {
    const turnedOff = await turnOffTotp(account, input.code, context);
    if (!turnedOff.ok) {
      if (turnedOff.reason === 'rate_limited') return totpRefusal(changeRefusal(turnedOff));
      return refuse(turnedOff.reason === 'wrong_code' ? 'totp_code_invalid' : 'totp_not_on');
    }
    refresh();
    return totpNotice('totp_disabled');
  },
);
