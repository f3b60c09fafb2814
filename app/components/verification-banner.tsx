import { getCurrentUser } from '@/lib/auth/current-user';
import type { User } from '@/lib/db/schema';
import { withPageBoundary } from '@/lib/http/page-boundary';
import { ResendConfirmationForm } from './email-verification-forms';

/**
 * On every page for a signed-in owner whose address is not confirmed, or whose new address waits
 * for its link. The user is the one the header already read (getCurrentUser is cached per request).
 */
async function Banner() {
  const user = await getCurrentUser();
  if (!user || (user.emailVerifiedAt !== null && user.pendingEmail === null)) return null;
  return (
    <aside className="notice banner" data-testid="verification-banner">
      {user.pendingEmail === null ? (
        <p>
          Confirm your email address: follow the link we mailed to <strong>{user.email}</strong>.
        </p>
      ) : (
        <p>
          Your new address <strong>{user.pendingEmail}</strong> waits for confirmation: follow the link we mailed to it.
        </p>
      )}
      <ResendConfirmationForm />
    </aside>
  );
}

export const VerificationBanner = withPageBoundary('verification banner', Banner);

/** The account page's line about the address: confirmed or not, and any new address waiting (the banner offers a new link). */
export function AddressState({ user }: { user: Pick<User, 'emailVerifiedAt' | 'pendingEmail'> }) {
  return (
    <p className="hint" data-testid="address-state">
      {user.emailVerifiedAt === null ? 'Not confirmed yet.' : 'Confirmed.'}
      {user.pendingEmail !== null && (
        <>
          {' '}
          Waiting for confirmation: <strong data-testid="pending-email">{user.pendingEmail}</strong>.
        </>
      )}
    </p>
  );
}
