import type { AccountActivity } from '@/lib/account-activity';
import { LocalTime } from './local-time';

/** The account's recent events, newest first: what happened, when, on what and from where. */
export function AccountActivityList({ activity }: { activity: AccountActivity[] }) {
  if (activity.length === 0) return <p className="hint">Nothing yet.</p>;
  return (
    <ol className="activity" data-testid="activity">
      {activity.map((entry) => (
        <li key={entry.id} data-testid="activity-entry">
          <div className="meta">
            <strong>{entry.text}</strong>
            <LocalTime iso={entry.at.toISOString()} />
          </div>
          <p className="details">
            {entry.device} · {entry.ip ?? 'Unknown address'}
          </p>
        </li>
      ))}
    </ol>
  );
}
