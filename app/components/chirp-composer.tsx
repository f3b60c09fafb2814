'use client';

import { useActionState, useState, useSyncExternalStore } from 'react';
import { postChirpAction } from '@/app/actions/chirps';
import { chirpLength, MAX_CHIRP_LENGTH } from '@/lib/chirp-rules';
import { INITIAL_COMPOSER } from '@/lib/form-states';
import { messageText } from '@/lib/messages';
import { FormError } from './auth-fields';
import { SubmitButton } from './submit-button';

const subscribeToNothing = () => () => {};

function characters(count: number): string {
  return count === 1 ? '1 character' : `${count} characters`;
}

/** False in the server's HTML and until hydration: what a reader without JavaScript gets. */
function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribeToNothing,
    () => true,
    () => false,
  );
}

/**
 * A plain form posting to a server action: without JavaScript the browser posts it and gets the
 * page back; with it, it posts without a page load and counts characters as you type, by the same
 * rule (and the same limit) the server applies.
 */
export function ChirpComposer() {
  const [state, formAction] = useActionState(postChirpAction, INITIAL_COMPOSER);
  const [draft, setDraft] = useState(state.draft);
  // Each answer carries the text the composer should hold: empty after a post, kept after a failure.
  const [answered, setAnswered] = useState(state);
  if (answered !== state) {
    setAnswered(state);
    setDraft(state.draft);
  }
  const hydrated = useHydrated();
  const left = MAX_CHIRP_LENGTH - chirpLength(draft);

  return (
    <form action={formAction} className="stack composer">
      <label>
        New chirp
        <textarea
          name="body"
          rows={3}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          aria-describedby={hydrated ? 'chirp-count' : undefined}
          required
        />
      </label>
      {hydrated && (
        <p id="chirp-count" className={left < 0 ? 'count over' : 'count'} data-testid="chirp-count">
          {left < 0 ? `${characters(-left)} over the limit` : `${characters(left)} left`}
        </p>
      )}
      <FormError message={state.code === null ? null : messageText(state.code)} />
      <SubmitButton label="Chirp" pendingLabel="Posting…" disabled={hydrated && (left < 0 || draft.trim() === '')} />
    </form>
  );
}
