import { beforeEach, describe, expect, it, vi } from 'vitest';
import { startPasskeyAssertion } from '@/lib/auth/passkey-ceremonies';
import { listPasskeys } from '@/lib/auth/passkeys';
import { hasSecondFactor } from '@/lib/auth/second-factor';
import {
  type AccountFormState,
  INITIAL_ACCOUNT_FORM,
  INITIAL_EMAIL_CHANGE,
  INITIAL_TOTP_FORM,
  type TotpFormState,
} from '@/lib/form-states';
import { findUserById } from '@/lib/users';
import { type BrowserSession, browserSession, PASSWORD, uniqueEmail } from '@/test/fixtures';
import { formData, fromAddress } from '@/test/http';
import {
  AUTHENTICATOR,
  addPasskey,
  CONTEXT,
  passkeysOnForEachTest,
  registrationStart,
  TEST_RP,
  userRow,
} from '@/test/passkeys';
import { serve } from '@/test/request-scope';
import { codeAt, enrolTotp } from '@/test/second-factor';
import { eventsOf, SAME_ORIGIN } from '@/test/session-helpers';
import { assert, register, type SoftwareCredential } from '@/test/software-authenticator';
import { changeEmailAction } from './account';
import { addPasskeyAction, deletePasskeyAction, renamePasskeyAction } from './passkeys';
import { regenerateRecoveryCodesAction, startTotpAction, turnOffTotpAction } from './second-factor';

// refresh() re-renders the page for the answer; there is no page here.
vi.mock('next/cache', () => ({ refresh: vi.fn() }));

passkeysOnForEachTest();
beforeEach(() => {
  vi.stubEnv('TRUST_PROXY', 'none');
});

/** Posts `fields` to an account-page action with the session's cookies and any passkey challenge cookies. */
function post<State>(
  action: (previous: State, formData: FormData) => Promise<State>,
  initial: State,
  session: BrowserSession,
  fields: Record<string, string>,
  challenges: { name: string; value: string }[] = [],
) {
  const cookie = [`chirpy_access=${session.access}`, ...challenges.map((c) => `${c.name}=${c.value}`)].join('; ');
  return serve(() => action(initial, formData(fields)), {
    ...fromAddress('203.0.113.60'),
    host: SAME_ORIGIN.host,
    cookie,
  });
}

/** The browser's side of "add a passkey": creation options, then the new credential as the form's field. */
async function newRegistration(session: BrowserSession) {
  const start = await registrationStart(await userRow(session.id));
  const { credential, response } = register(start.options.challenge, session.id, AUTHENTICATOR);
  return { credential, field: JSON.stringify(response), cookie: start.cookie };
}

/** The browser's side of "confirm with a passkey": the step-up challenge signed by `credential`. */
async function stepUpAssertion(session: BrowserSession, credential: SoftwareCredential) {
  const start = await startPasskeyAssertion('step_up', await userRow(session.id), TEST_RP, false, CONTEXT);
  if (!start.ok) throw new Error('rate limited');
  const assertion = assert(credential, start.options.challenge, AUTHENTICATOR);
  return { field: JSON.stringify(assertion), cookie: start.cookie };
}

const notice = (code: AccountFormState['notice']) => ({ code: null, notice: code, retryAfterSeconds: null });
const refusal = (code: AccountFormState['code']) => ({ code, notice: null, retryAfterSeconds: null });

describe('adding a passkey on the account page', () => {
  it('keeps it after the current password confirms it is the owner', async () => {
    const session = await browserSession();
    const { field, cookie } = await newRegistration(session);

    const served = await post(
      addPasskeyAction,
      INITIAL_ACCOUNT_FORM,
      session,
      {
        name: 'Work laptop',
        registration: field,
        current_password: PASSWORD,
      },
      [cookie],
    );

    expect(served.value).toEqual(notice('passkey_added'));
    expect((await listPasskeys(session.id)).map((passkey) => passkey.name)).toEqual(['Work laptop']);
    expect(served.cookies.get(cookie.name)?.value).toBe('');
  });

  it('keeps it after an existing passkey confirms it instead of the password', async () => {
    const session = await browserSession();
    const first = await addPasskey(session.id, 'First');
    const { field, cookie } = await newRegistration(session);
    const stepUp = await stepUpAssertion(session, first.credential);

    const served = await post(
      addPasskeyAction,
      INITIAL_ACCOUNT_FORM,
      session,
      {
        name: 'Second',
        registration: field,
        current_password: '',
        passkey_assertion: stepUp.field,
      },
      [cookie, stepUp.cookie],
    );

    expect(served.value).toEqual(notice('passkey_added'));
    expect((await listPasskeys(session.id)).map((passkey) => passkey.name)).toEqual(['First', 'Second']);
  });

  it('adds nothing with a wrong password, a missing name, or a registration for a spent challenge', async () => {
    const session = await browserSession();
    const { field, cookie } = await newRegistration(session);
    const fields = { name: 'Key', registration: field, current_password: PASSWORD };

    expect(
      (
        await post(addPasskeyAction, INITIAL_ACCOUNT_FORM, session, { ...fields, current_password: 'wrong guess' }, [
          cookie,
        ])
      ).value,
    ).toEqual(refusal('wrong_current_password'));
    expect(
      (await post(addPasskeyAction, INITIAL_ACCOUNT_FORM, session, { ...fields, name: '  ' }, [cookie])).value,
    ).toEqual(refusal('passkey_name_required'));
    expect((await post(addPasskeyAction, INITIAL_ACCOUNT_FORM, session, fields, [cookie])).value).toEqual(
      notice('passkey_added'),
    );
    const again = await post(addPasskeyAction, INITIAL_ACCOUNT_FORM, session, { ...fields, name: 'Again' }, [cookie]);
    expect(again.value).toEqual(refusal('passkey_rejected'));
    expect(await listPasskeys(session.id)).toHaveLength(1);
  });
});

describe('renaming and removing a passkey', () => {
  it('renames and removes the account’s own passkey, and nobody else’s', async () => {
    const session = await browserSession();
    const other = await browserSession();
    const { passkey } = await addPasskey(session.id, 'Old name');
    const { passkey: theirs } = await addPasskey(other.id, 'Theirs');

    const renamed = await post(renamePasskeyAction, INITIAL_ACCOUNT_FORM, session, {
      passkey_id: passkey.id,
      name: 'New name',
    });
    const notMine = await post(deletePasskeyAction, INITIAL_ACCOUNT_FORM, session, { passkey_id: theirs.id });

    expect(renamed.value).toEqual(notice('passkey_renamed'));
    expect(notMine.value).toEqual(refusal('passkey_not_found'));
    expect((await listPasskeys(session.id)).map((row) => row.name)).toEqual(['New name']);
    const removed = await post(deletePasskeyAction, INITIAL_ACCOUNT_FORM, session, { passkey_id: passkey.id });
    expect(removed.value).toEqual(notice('passkey_removed'));
    expect(await listPasskeys(session.id)).toEqual([]);
    expect(await listPasskeys(other.id)).toHaveLength(1);
    expect((await eventsOf('passkey_renamed')).map((event) => event.detail)).toEqual(['New name']);
  });
});

describe('a passkey in place of the current password on the email form', () => {
  it('changes the email when the account’s own passkey confirms it', async () => {
    const session = await browserSession();
    const { credential } = await addPasskey(session.id);
    const stepUp = await stepUpAssertion(session, credential);
    const email = uniqueEmail();

    const served = await post(
      changeEmailAction,
      INITIAL_EMAIL_CHANGE,
      session,
      {
        email,
        current_password: '',
        passkey_assertion: stepUp.field,
      },
      [stepUp.cookie],
    );

    expect(served.value).toMatchObject({ code: null, notice: 'email_changed' });
    expect((await findUserById(session.id))?.email).toBe(email);
  });

  it('changes nothing with another account’s passkey, or an assertion whose challenge is spent', async () => {
    const session = await browserSession();
    const other = await browserSession();
    const own = await addPasskey(session.id);
    const theirs = await addPasskey(other.id);
    const foreign = await stepUpAssertion(session, theirs.credential);
    const fields = { email: uniqueEmail(), current_password: '' };

    const withTheirs = await post(
      changeEmailAction,
      INITIAL_EMAIL_CHANGE,
      session,
      { ...fields, passkey_assertion: foreign.field },
      [foreign.cookie],
    );
    const ownStepUp = await stepUpAssertion(session, own.credential);
    await post(changeEmailAction, INITIAL_EMAIL_CHANGE, session, { ...fields, passkey_assertion: ownStepUp.field }, [
      ownStepUp.cookie,
    ]);
    const replayed = await post(
      changeEmailAction,
      INITIAL_EMAIL_CHANGE,
      session,
      { email: uniqueEmail(), current_password: '', passkey_assertion: ownStepUp.field },
      [ownStepUp.cookie],
    );

    expect(withTheirs.value).toMatchObject({ code: 'passkey_step_up_rejected' });
    expect(replayed.value).toMatchObject({ code: 'passkey_step_up_rejected' });
    expect((await findUserById(session.id))?.email).toBe(fields.email);
  });

  it('is refused as a missing password when the form carries neither', async () => {
    const session = await browserSession();
    const served = await post(changeEmailAction, INITIAL_EMAIL_CHANGE, session, {
      email: uniqueEmail(),
      current_password: '',
    });
    expect(served.value).toMatchObject({ code: 'invalid_form' });
    expect((await findUserById(session.id))?.email).toBe(session.email);
  });
});

describe('a passkey in place of the current password on the two-step sign-in forms', () => {
  /** A two-step form sent with `credential`'s answer to a fresh step-up challenge and no password. */
  async function postWithPasskey(
    action: (previous: TotpFormState, formData: FormData) => Promise<TotpFormState>,
    session: BrowserSession,
    credential: SoftwareCredential,
    fields: Record<string, string> = {},
  ) {
    const stepUp = await stepUpAssertion(session, credential);
    const fieldsWithPasskey = { ...fields, current_password: '', passkey_assertion: stepUp.field };
    return (await post(action, INITIAL_TOTP_FORM, session, fieldsWithPasskey, [stepUp.cookie])).value;
  }

  it('sets up the app and makes new recovery codes when the account’s own passkey confirms it', async () => {
    const session = await browserSession();
    const { credential } = await addPasskey(session.id);
    expect(await postWithPasskey(startTotpAction, session, credential)).toMatchObject({
      notice: 'totp_enrolment_started',
    });

    const enrolled = await browserSession();
    const own = await addPasskey(enrolled.id);
    await enrolTotp(enrolled.id);
    const made = await postWithPasskey(regenerateRecoveryCodesAction, enrolled, own.credential);
    expect(made?.recoveryCodes).toHaveLength(10);
  });

  it('turns the app off with a passkey only together with a code', async () => {
    const session = await browserSession();
    const { credential } = await addPasskey(session.id);
    const { secret } = await enrolTotp(session.id);

    const refused = await postWithPasskey(turnOffTotpAction, session, credential);
    expect(refused).toMatchObject({ code: 'invalid_form', notice: null });
    expect(await hasSecondFactor(session.id)).toBe(true);

    const code = await codeAt(secret, Date.now());
    expect(await postWithPasskey(turnOffTotpAction, session, credential, { code })).toMatchObject({
      notice: 'totp_disabled',
    });
    expect(await hasSecondFactor(session.id)).toBe(false);
  });
});
