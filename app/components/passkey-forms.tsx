'use client';

import { useActionState, useRef, useState } from 'react';
import { addPasskeyAction, deletePasskeyAction, renamePasskeyAction } from '@/app/actions/passkeys';
import type { PasskeySummary } from '@/lib/auth/passkeys';
import { type AccountFormState, accountRefusal, INITIAL_ACCOUNT_FORM } from '@/lib/form-states';
import { MAX_PASSKEY_NAME_LENGTH, messageText } from '@/lib/messages';
import { AccountFormMessages } from './account-forms';
import { FormError, PasswordField } from './auth-fields';
import { LocalTime } from './local-time';
import { createPasskey, provePasskey } from './passkey-browser';
import { SubmitButton } from './submit-button';

const NEEDS_JAVASCRIPT = (
  <noscript>
    <p className="hint">Passkeys need JavaScript: turn it on to add or use one.</p>
  </noscript>
);

/**
 * Inside a sensitive form: "Confirm with a passkey" proves it is the owner with one of the
 * account's passkeys instead of the current password. The assertion goes in the form's
 * `passkey_assertion` field and the form is sent without its own checks (the password field is
 * left empty); the server checks the assertion (lib/declared-action.ts, the step-up).
 */
export function PasskeyStepUp({ label = 'Confirm with a passkey instead' }: { label?: string }) {
  const field = useRef<HTMLInputElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const [error, setError] = useState<string | null>(null);

  async function confirm(): Promise<void> {
    setError(null);
    const assertion = await provePasskey('/api/passkeys/step-up/options');
    if (!assertion.ok) {
      setError(assertion.message);
      return;
    }
    const form = button.current?.form;
    if (!field.current || !form) return;
    field.current.value = JSON.stringify(assertion.value);
    form.requestSubmit(button.current);
  }

  return (
    <>
      <input type="hidden" name="passkey_assertion" ref={field} defaultValue="" />
      <FormError message={error} />
      <button
        type="submit"
        formNoValidate
        className="secondary"
        ref={button}
        onClick={(event) => {
          // A click asks for a passkey afresh; the form is sent (requestSubmit, no click) once
          // the assertion is in.
          event.preventDefault();
          if (field.current) field.current.value = '';
          void confirm();
        }}
      >
        {label}
      </button>
    </>
  );
}

/**
 * Add a passkey: a name, the step-up (the current password, or a passkey already on the
 * account), then the browser makes the passkey and the form sends it.
 */
export function AddPasskeyForm({ hasPasskeys }: { hasPasskeys: boolean }) {
  const [state, formAction, pending] = useActionState(addPasskeyAction, INITIAL_ACCOUNT_FORM);
  const [local, setLocal] = useState<AccountFormState | null>(null);
  const registration = useRef<HTMLInputElement>(null);

  async function create(form: HTMLFormElement, submitter: HTMLElement | null): Promise<void> {
    const created = await createPasskey();
    if (!created.ok) {
      setLocal(created.message === null ? null : accountRefusal('passkey_rejected'));
      return;
    }
    if (!registration.current) return;
    registration.current.value = JSON.stringify(created.value);
    form.requestSubmit(submitter);
  }

  return (
    <form
      action={(formData) => {
        setLocal(null);
        formAction(formData);
        if (registration.current) registration.current.value = '';
      }}
      className="stack"
      data-testid="add-passkey"
      onSubmit={(event) => {
        // First the browser makes the passkey; then the same submit goes through with it.
        if (registration.current?.value !== '') return;
        event.preventDefault();
        const submitter = event.nativeEvent instanceof SubmitEvent ? event.nativeEvent.submitter : null;
        void create(event.currentTarget, submitter);
      }}
    >
      <AccountFormMessages state={local ?? state} />
      {NEEDS_JAVASCRIPT}
      <input type="hidden" name="registration" ref={registration} defaultValue="" />
      <label>
        Passkey name
        <input name="name" type="text" required maxLength={MAX_PASSKEY_NAME_LENGTH} placeholder="My phone" />
      </label>
      <PasswordField label="Current password" name="current_password" autoComplete="current-password" />
      <SubmitButton label="Add a passkey" pendingLabel="Adding passkey…" disabled={pending} />
      {hasPasskeys && <PasskeyStepUp label="Add, confirming with a passkey instead" />}
    </form>
  );
}

function PasskeyItem({ passkey }: { passkey: PasskeySummary }) {
  const [renamed, rename] = useActionState(renamePasskeyAction, INITIAL_ACCOUNT_FORM);
  const [removed, remove] = useActionState(deletePasskeyAction, INITIAL_ACCOUNT_FORM);
  const answer = removed.code !== null || removed.notice !== null ? removed : renamed;
  return (
    <li data-testid="passkey">
      <div className="meta">
        <strong data-testid="passkey-name">{passkey.name}</strong>
        <span className="tag">{passkey.storage === 'synced' ? 'Synced' : 'This device only'}</span>
      </div>
      <p className="details">
        added <LocalTime iso={passkey.createdAt} /> · last used{' '}
        {passkey.lastUsedAt === null ? 'never' : <LocalTime iso={passkey.lastUsedAt} />}
      </p>
      <AccountFormMessages state={answer} />
      <form action={rename} className="inline">
        <input type="hidden" name="passkey_id" value={passkey.id} />
        <label>
          New name
          <input name="name" type="text" required maxLength={MAX_PASSKEY_NAME_LENGTH} defaultValue={passkey.name} />
        </label>
        <SubmitButton label="Rename" pendingLabel="Renaming…" className="secondary" />
      </form>
      <form action={remove}>
        <input type="hidden" name="passkey_id" value={passkey.id} />
        <SubmitButton label="Remove" pendingLabel="Removing…" className="secondary" />
      </form>
    </li>
  );
}

/** The account's passkeys: name, when added and last used, synced or bound to this device. */
export function PasskeyList({ passkeys }: { passkeys: PasskeySummary[] }) {
  if (passkeys.length === 0) return <p className="hint">{messageText('no_passkeys')}</p>;
  return (
    <ul className="sessions" data-testid="passkeys">
      {passkeys.map((passkey) => (
        <PasskeyItem key={passkey.id} passkey={passkey} />
      ))}
    </ul>
  );
}
