'use server';

import { refresh } from 'next/cache';
import { cookies } from 'next/headers';
import { z } from 'zod';
import {
  finishPasskeyRegistration,
  parseResponseField,
  registrationResponseSchema,
  relyingPartyFor,
} from '@/lib/auth/passkey-ceremonies';
import { deletePasskey, passkeyIdSchema, passkeyNameSchema, renamePasskey } from '@/lib/auth/passkeys';
import { clearChallengeCookie, takeChallenge } from '@/lib/auth/webauthn-challenges';
import { declareAction } from '@/lib/declared-action';
import { accountFormRefusal, accountNotice } from '@/lib/form-states';
import { isSecureRequest } from '@/lib/http/request-context';

/**
 * The account page's passkeys: adding one (after a step-up: the current password or a passkey
 * already on the account), renaming and removing. Adding needs JavaScript: the browser's
 * WebAuthn call makes the credential, and a page script puts its answer in the form's
 * `registration` field (app/components/passkey-forms.tsx).
 */

const REGISTRATION_REFUSALS = {
  rejected: 'passkey_rejected',
  already_registered: 'passkey_already_registered',
} as const;

export const addPasskeyAction = declareAction(
  {
    name: 'addPasskeyAction',
    auth: 'session',
    input: z.object({ name: passkeyNameSchema, registration: z.string() }),
    stepUp: 'current_password_or_passkey',
    refuse: accountFormRefusal,
  },
  async ({ input, account, context, headers, refuse }) => {
    const store = await cookies();
    const secure = isSecureRequest(headers);
    const challenge = await takeChallenge(store, 'registration', account.id, secure);
    clearChallengeCookie(store, 'registration', secure);
    const response = parseResponseField(registrationResponseSchema, input.registration);
    const rp = relyingPartyFor(headers);
    if (response === null || rp === null) return refuse('passkey_rejected');
    const added = await finishPasskeyRegistration(account, response, input.name, challenge, rp, context);
    if (!added.ok) return refuse(REGISTRATION_REFUSALS[added.reason]);
    refresh();
    return accountNotice('passkey_added');
  },
);

const passkeyChoice = z.object({ passkey_id: passkeyIdSchema });

const passkeyRenaming = passkeyChoice.extend({ name: passkeyNameSchema });

export const renamePasskeyAction = declareAction(
  { name: 'renamePasskeyAction', auth: 'session', input: passkeyRenaming, refuse: accountFormRefusal },
  async ({ input, session, context, refuse }) => {
    const renamed = await renamePasskey(session.user.id, input.passkey_id, input.name, context);
    if (!renamed.ok) return refuse('passkey_not_found');
    refresh();
    return accountNotice('passkey_renamed');
  },
);

const REMOVAL_REFUSALS = { not_found: 'passkey_not_found', last_credential: 'passkey_last_credential' } as const;

export const deletePasskeyAction = declareAction(
  { name: 'deletePasskeyAction', auth: 'session', input: passkeyChoice, refuse: accountFormRefusal },
  async ({ input, session, context, refuse }) => {
    const removed = await deletePasskey(session.user.id, input.passkey_id, context);
    if (!removed.ok) return refuse(REMOVAL_REFUSALS[removed.reason]);
    refresh();
    return accountNotice('passkey_removed');
  },
);
