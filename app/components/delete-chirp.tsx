import type { DeleteChirpState } from '@/lib/form-states';
import { messageText } from '@/lib/messages';
import { FormError } from './auth-fields';
import { SubmitButtonAs } from './submit-button';

/**
 * Delete, with a confirmation step that needs no JavaScript: a <details> the browser opens by
 * itself, holding the button that really deletes. The button belongs to the one form around the
 * whole list (TimelineList) and sends its chirp's id as its own value: a form per chirp repeated
 * the action's hidden fields fifty times, which made a page of one's own chirps nearly twice the
 * size. No directive and no hooks: the list renders it, and reads the form's status for it.
 */
export function DeleteChirp({
  chirpId,
  state,
  pending,
}: {
  chirpId: string;
  state: DeleteChirpState;
  pending: boolean;
}) {
  return (
    <>
      <details>
        <summary>Delete</summary>
        <div className="confirm">
          Delete this chirp for good?
          <SubmitButtonAs
            label="Yes, delete"
            pendingLabel="Deleting…"
            className="danger"
            name="chirp_id"
            value={chirpId}
            pending={pending}
          />
        </div>
      </details>
      <FormError message={state.code === null || state.chirpId !== chirpId ? null : messageText(state.code)} />
    </>
  );
}
