import type { MouseEvent } from 'react';
import { SubmitButtonAs } from './submit-button';

/** The question goes to the button that answers it, so a keyboard or screen reader lands on it. */
function focusOnMount(button: HTMLButtonElement | null): void {
  button?.focus();
}

/**
 * "Delete this chirp for good?", shown beside the one chirp whose Delete was pressed. Its buttons
 * belong to the one form around the whole list (TimelineList): Yes sends the chirp's id as its
 * value and deletes; Cancel, without JavaScript, posts nothing else and gets the list back as it
 * was. With JavaScript the list handles Cancel by itself (`onCancel`). No directive and no hooks:
 * the list renders it, and reads the form's status for it.
 */
export function ConfirmDelete({
  chirpId,
  pending,
  onCancel,
}: {
  chirpId: string;
  pending: boolean;
  onCancel: (event: MouseEvent<HTMLButtonElement>) => void;
}) {
  return (
    <div className="confirm">
      Delete this chirp for good?
      <SubmitButtonAs
        label="Yes, delete"
        pendingLabel="Deleting…"
        className="danger"
        name="chirp_id"
        value={chirpId}
        pending={pending}
        buttonRef={focusOnMount}
      />
      <button type="submit" className="secondary" onClick={onCancel} disabled={pending}>
        Cancel
      </button>
    </div>
  );
}
