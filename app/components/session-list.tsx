'use client';

import { useActionState, useState } from 'react';
import { endOtherSessionsAction, endSessionAction } from '@/app/actions/account';
import type { PublicSession } from '@/lib/auth/sessions';
import { type AccountFormState, INITIAL_ACCOUNT_FORM } from '@/lib/form-states';
import { AccountFormMessages } from './account-forms';
import { LocalTime } from './local-time';
import { SubmitButton } from './submit-button';

/**
 * Of the two forms' answers, the one given last: after "Sign out everywhere else", an earlier
 * "That session is signed out." is old news. Without JavaScript a page carries one answer at most.
 */
function useLatestAnswer(one: AccountFormState, others: AccountFormState): AccountFormState {
  const [seen, setSeen] = useState({
    one,
    others,
    latest: others.notice !== null || others.code !== null ? others : one,
  });
  if (seen.one === one && seen.others === others) return seen.latest;
  const latest = seen.others === others ? one : others;
  setSeen({ one, others, latest });
  return latest;
}

/** This device heads the list; the others follow, most recently used first. */
function thisDeviceFirst(sessions: PublicSession[]): PublicSession[] {
  return [...sessions.filter((session) => session.current), ...sessions.filter((session) => !session.current)];
}

/**
 * Where the account is signed in. The current session is marked and has no Sign out of its own
 * (the header's signs this browser out); every other one does, and "Sign out everywhere else"
 * ends them all. The answer is shown above the list, since a row that
 * was signed out is gone from it.
 */
export function SessionList({ sessions }: { sessions: PublicSession[] }) {
  const [ended, endOne] = useActionState(endSessionAction, INITIAL_ACCOUNT_FORM);
  const [endedOthers, endOthers] = useActionState(endOtherSessionsAction, INITIAL_ACCOUNT_FORM);
  const answer = useLatestAnswer(ended, endedOthers);
  const hasOthers = sessions.some((session) => !session.current);
  return (
    <div className="stack">
      <AccountFormMessages state={answer} />
      <ul className="sessions" data-testid="sessions">
        {thisDeviceFirst(sessions).map((session) => (
          <li key={session.id} data-testid="session">
            <div className="meta">
              <strong>{session.device}</strong>
              {session.current && <span className="tag">This device</span>}
            </div>
            <p className="details">
              {session.ip ?? 'Unknown address'} · signed in <LocalTime iso={session.created_at} /> · last used{' '}
              <LocalTime iso={session.last_used_at} />
            </p>
            {!session.current && (
              <form action={endOne}>
                <input type="hidden" name="session_id" value={session.id} />
                <SubmitButton label="Sign out" pendingLabel="Signing out…" className="secondary" />
              </form>
            )}
          </li>
        ))}
      </ul>
      {hasOthers && (
        <form action={endOthers}>
          <SubmitButton label="Sign out everywhere else" pendingLabel="Signing out…" className="danger" />
        </form>
      )}
    </div>
  );
}
