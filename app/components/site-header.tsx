import { signOutAction } from '@/app/actions/auth';
import { getCurrentUser } from '@/lib/auth/current-user';
import { withPageBoundary } from '@/lib/http/page-boundary';
import { SubmitButton } from './submit-button';

/**
 * Plain links: a next/link Link is a client component each page serializes and renders twice, and
 * in production prefetches its target as soon as it is on screen, a server render per link per view.
 */
async function Header() {
  const user = await getCurrentUser();
  return (
    <header className="site">
      <a href="/" className="brand">
        Chirpy
      </a>
      {user ? (
        <div className="account">
          <span className="email" data-testid="signed-in-email">
            {user.email}
          </span>
          <a href="/account">Account</a>
          <form action={signOutAction}>
            <SubmitButton label="Sign out" pendingLabel="Signing out…" className="secondary" />
          </form>
        </div>
      ) : (
        <nav className="account">
          <a href="/login">Sign in</a>
          <a href="/signup">Sign up</a>
        </nav>
      )}
    </header>
  );
}

export const SiteHeader = withPageBoundary('site header', Header);
