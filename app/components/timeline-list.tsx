'use client';

import { useActionState } from 'react';
import { deleteChirpAction } from '@/app/actions/chirps';
import { INITIAL_DELETE_CHIRP } from '@/lib/form-states';
import { ChirpyRedBadge } from './chirpy-red-badge';
import { DeleteChirp } from './delete-chirp';
import { LocalTime } from './local-time';

/** One chirp as the list receives it: plain data, no address, and whether the reader wrote it. */
export type TimelineEntry = {
  id: string;
  body: string;
  createdAt: string;
  authorId: string;
  authorName: string;
  authorIsChirpyRed: boolean;
  own: boolean;
};

/**
 * The list itself, one client component fed with data. Rendered by the server as a tree of
 * elements instead, each chirp's half-dozen elements (and its time, a client component) were
 * serialized into the page's payload and read back before the HTML could be written: measured,
 * that made fifty chirps cost about as much as the rest of the page.
 */
export function TimelineList({ entries }: { entries: TimelineEntry[] }) {
  const [state, formAction] = useActionState(deleteChirpAction, INITIAL_DELETE_CHIRP);
  const list = (
    <ul className="chirps" data-testid="timeline">
      {entries.map((entry) => (
        <li key={entry.id} data-testid="chirp">
          <div className="meta">
            <a href={`/users/${entry.authorId}`} className="author">
              {entry.authorName}
            </a>
            {entry.authorIsChirpyRed && <ChirpyRedBadge />}
            <LocalTime iso={entry.createdAt} />
          </div>
          <p className="body">{entry.body}</p>
          {entry.own && <DeleteChirp chirpId={entry.id} state={state} />}
        </li>
      ))}
    </ul>
  );
  // One form for every delete button: its action's hidden fields are written once, not per chirp.
  return entries.some((entry) => entry.own) ? <form action={formAction}>{list}</form> : list;
}
