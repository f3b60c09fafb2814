'use client';

import type { DeleteChirpState } from '@/lib/form-states';
import { messageText } from '@/lib/messages';
import { FormError } from './auth-fields';
import { SubmitButton } from './submit-button';

/**
 * Delete, with a confirmation step that needs no JavaScript: a <details> the browser opens by
 * itself, holding the button that really deletes. The button belongs to the one form around the
 * whole list (TimelineList) and sends its chirp's id as its own value: a form per chirp repeated
 * the action's hidden fields fifty times, which made a page of one's own chirps nearly twice the size.
 */
export function DeleteChirp({ chirpId, state }: { chirpId: string; state: DeleteChirpState }) {
  return (
    <>
      <details className="delete">
        <summary>Delete</summary>
        <div className="confirm">
          <span>Delete this chirp for good?</span>
          <SubmitButton
            label="Yes, delete"
            pendingLabel="Deleting…"
            className="danger"
            name="chirp_id"
            value={chirpId}
          />
        </div>
      </details>
      <FormError message={state.code === null || state.chirpId !== chirpId ? null : messageText(state.code)} />
    </>
  );
}
