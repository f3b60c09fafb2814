'use client';

import { useActionState } from 'react';
import { useFormStatus } from 'react-dom';
import { deleteChirpAction } from '@/app/actions/chirps';
import { type DeleteChirpState, INITIAL_DELETE_CHIRP } from '@/lib/form-states';
import { ChirpyRedBadge } from './chirpy-red-badge';
import { DeleteChirp } from './delete-chirp';
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
  return (
    <ul className="chirps" data-testid="timeline">
      {entries.map((entry) => {
        const author = authors[entry.by];
        return (
          <li key={entry.id} data-testid="chirp">
            <div className="meta">
              {author && <a href={`/users/${author.id}`}>{author.name}</a>}
              {author?.chirpyRed && <ChirpyRedBadge />}
              <TimeOf iso={entry.at} clock={clock} />
            </div>
            <p className="body">{entry.body}</p>
            {state !== null && author?.reader && (
              <DeleteChirp chirpId={entry.id} state={state} pending={deleting === entry.id} />
            )}
          </li>
        );
      })}
    </ul>
  );
}
