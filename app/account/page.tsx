import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { toAccountActivity } from '@/lib/account-activity';
import { listRecentAuthEvents } from '@/lib/audit';
import { getCurrentSession } from '@/lib/auth/current-user';
import { relyingPartyFor } from '@/lib/auth/passkey-ceremonies';
import { listPasskeys, toPasskeySummary } from '@/lib/auth/passkeys';
import { loginPath } from '@/lib/auth/redirects';
import { readSecondFactorStatus } from '@/lib/auth/second-factor';
import { listSessions, toPublicSession } from '@/lib/auth/sessions';
import { withPageBoundary } from '@/lib/http/page-boundary';
import { messageText } from '@/lib/messages';
import { AccountActivityList } from '../components/account-activity';
import { ChangeEmailForm, ChangePasswordForm } from '../components/account-forms';
import { AddPasskeyForm, PasskeyList } from '../components/passkey-forms';
import { SessionList } from '../components/session-list';
import { TotpSettings } from '../components/totp-settings';
import { AddressState } from '../components/verification-banner';

export const metadata = { title: 'Account · Chirpy' };

const RECENT_EVENTS = 20;

/**
 * The signed-in person's own account: change the email or the password, add and manage
 * passkeys, set up two-step sign-in, see and end the sessions, read the recent account events.
 * The proxy already sends a visitor whose session just ended to sign in; this check is the
 * authoritative one (a session ended elsewhere still carries an access cookie that verifies).
 */
async function AccountPage() {
  const current = await getCurrentSession();
  if (!current) redirect(loginPath('/account'));
  const { user, sessionId } = current;
  const [sessions, events, secondFactor, passkeys] = await Promise.all([
    listSessions(user.id, sessionId),
    listRecentAuthEvents(user.id, RECENT_EVENTS),
    readSecondFactorStatus(user),
    listPasskeys(user.id),
  ]);
  const passkeysOn = relyingPartyFor(await headers()) !== null;
  // A passkey can stand in for the current password only where passkeys work and there is one.
  const passkeyStepUp = passkeysOn && passkeys.length > 0;
  return (
    <>
      <h1>Account</h1>
      <section aria-labelledby="email-heading">
        <h2 id="email-heading">Email</h2>
        <p>
          You sign in as <strong data-testid="account-email">{user.email}</strong>.
        </p>
        <AddressState user={user} />
        <ChangeEmailForm passkeyStepUp={passkeyStepUp} />
      </section>
      <section aria-labelledby="password-heading">
        <h2 id="password-heading">Password</h2>
        <ChangePasswordForm passkeyStepUp={passkeyStepUp} />
      </section>
      <section aria-labelledby="passkeys-heading">
        <h2 id="passkeys-heading">Passkeys</h2>
        <PasskeyList passkeys={passkeys.map(toPasskeySummary)} />
        {passkeysOn ? (
          <AddPasskeyForm hasPasskeys={passkeyStepUp} />
        ) : (
          <p className="hint">{messageText('passkeys_unavailable')}.</p>
        )}
      </section>
      <section aria-labelledby="two-step-heading">
        <h2 id="two-step-heading">Two-step sign-in</h2>
        <TotpSettings status={secondFactor} passkeyStepUp={passkeyStepUp} />
      </section>
      <section aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">Where you are signed in</h2>
        <SessionList sessions={sessions.map(toPublicSession)} />
      </section>
      <section aria-labelledby="activity-heading">
        <h2 id="activity-heading">Recent activity</h2>
        <p className="hint">Your last {RECENT_EVENTS} account events.</p>
        <AccountActivityList activity={events.map(toAccountActivity)} />
      </section>
    </>
  );
}

export default withPageBoundary('page /account', AccountPage);
