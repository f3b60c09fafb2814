'use client';

import { useActionState } from 'react';
import { deleteChirpAction } from '@/app/actions/chirps';
import { INITIAL_DELETE_CHIRP } from '@/lib/form-states';
import { messageText } from '@/lib/messages';
import { FormError } from './auth-fields';
import { SubmitButton } from './submit-button';

/**
 * Delete, with a confirmation step that needs no JavaScript: a <details> the browser opens by
 * itself, holding the form that really deletes.
 */
export function DeleteChirp({ chirpId }: { chirpId: string }) {
  const [state, formAction] = useActionState(deleteChirpAction, INITIAL_DELETE_CHIRP);
  return (
    <>
      <details className="delete">
        <summary>Delete</summary>
        <form action={formAction} className="confirm">
          <input type="hidden" name="chirp_id" value={chirpId} />
          <span>Delete this chirp for good?</span>
          <SubmitButton label="Yes, delete" pendingLabel="Deleting…" className="danger" />
        </form>
      </details>
      <FormError message={state.code === null ? null : messageText(state.code)} />
    </>
  );
}
