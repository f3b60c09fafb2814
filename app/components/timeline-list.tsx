'use client';

import { type MouseEvent, useActionState, useState } from 'react';
import { flushSync, useFormStatus } from 'react-dom';
import { deleteChirpAction } from '@/app/actions/chirps';
import { type DeleteChirpState, INITIAL_DELETE_CHIRP } from '@/lib/form-states';
import { messageText } from '@/lib/messages';
import { FormError } from './auth-fields';
import { ChirpyRedBadge } from './chirpy-red-badge';
import { ConfirmDelete } from './delete-chirp';
import { TimeOf, useClock } from './local-time';

/** An author of chirps on the page: no address, and whether it is the reader. */
export type TimelineAuthor = { id: string; name: string; chirpyRed: boolean; reader: boolean };

/** One chirp as the list receives it: plain data, its time as an ISO instant, `by` its author's index. */
export type TimelineEntry = { id: string; body: string; at: string; by: number };

type ListProps = { authors: TimelineAuthor[]; entries: TimelineEntry[] };

/**
 * The list itself, one client component fed with data. A server-rendered tree would put each
 * chirp's elements into the page's payload, to be serialized and read back before the HTML can be
 * written; data is far smaller. For the same reason the chirps are plain elements here, not a
 * component each with its own hooks: the list reads the clock and the form's status once for all.
 * An HTML render costs by the element and the attribute, so a chirp is its children in the <li>
 * (the stylesheet lays them out), and one's own chirp adds a single Delete button.
 */
export function TimelineList({ authors, entries }: ListProps) {
  const [state, formAction] = useActionState(deleteChirpAction, INITIAL_DELETE_CHIRP);
  // One form for every delete button: its action's hidden fields are written once, not per chirp.
  if (!authors.some((author) => author.reader)) return <Chirps authors={authors} entries={entries} state={null} />;
  return (
    <form action={formAction}>
      <Chirps authors={authors} entries={entries} state={state} />
    </form>
  );
}

/** `state` is the delete form's answer, null when the reader wrote none of these chirps. */
function Chirps({ authors, entries, state }: ListProps & { state: DeleteChirpState | null }) {
  const clock = useClock();
  const status = useFormStatus();
  const deleting = status.pending ? status.data?.get('chirp_id') : null;
  // Which chirp's Delete asks "for good?". Undefined until the reader presses Delete or Cancel
  // here: until then the server's answer says (a page without JavaScript asks through it).
  const [asking, setAsking] = useState<string | null | undefined>(undefined);
  const confirming = asking === undefined ? (state?.confirming ?? null) : asking;

  // With JavaScript, asking needs no round trip: the Delete button only shows the question.
  function ask(event: MouseEvent<HTMLButtonElement>): void {
    event.preventDefault();
    setAsking(event.currentTarget.value);
  }

  // Cancel puts the focus back on the Delete button it came from, not on the page's start.
  function cancel(event: MouseEvent<HTMLButtonElement>): void {
    event.preventDefault();
    const { form } = event.currentTarget;
    const chirpId = confirming;
    flushSync(() => setAsking(null));
    if (form !== null && chirpId !== null) focusDeleteOf(form, chirpId);
  }

  return (
    <ul className="chirps" data-testid="timeline">
      {entries.map((entry) => {
        const author = authors[entry.by];
        const own = state !== null && author?.reader;
        return (
          <li key={entry.id}>
            {author && <a href={`/users/${author.id}`}>{author.name}</a>}
            {author?.chirpyRed && <ChirpyRedBadge />}
            <TimeOf iso={entry.at} clock={clock} />
            <p>{entry.body}</p>
            {own &&
              (confirming === entry.id ? (
                <ConfirmDelete chirpId={entry.id} pending={deleting === entry.id} onCancel={cancel} />
              ) : (
                <button type="submit" name="confirm" value={entry.id} onClick={ask}>
                  Delete
                </button>
              ))}
            {own && state.chirpId === entry.id && <FormError message={state.code && messageText(state.code)} />}
          </li>
        );
      })}
    </ul>
  );
}

function focusDeleteOf(form: HTMLFormElement, chirpId: string): void {
  for (const button of form.querySelectorAll('button[name="confirm"]')) {
    if (button instanceof HTMLButtonElement && button.value === chirpId) button.focus();
  }
}
