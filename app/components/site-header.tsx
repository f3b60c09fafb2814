import Link from 'next/link';
import { getCurrentUser } from '@/lib/auth/current-user';
import { PendingForm } from './pending-form';

export async function SiteHeader() {
  const user = await getCurrentUser();
  return (
    <header className="site">
      <Link href="/" className="brand">
        Chirpy
      </Link>
      {user ? (
        <div className="account">
          <span className="email" data-testid="signed-in-email">
            {user.email}
          </span>
          <PendingForm
            action="/api/revoke"
            submitLabel="Sign out"
            pendingLabel="Signing out…"
            buttonClassName="secondary"
          />
        </div>
      ) : (
        <nav className="account">
          <Link href="/login">Sign in</Link>
          <Link href="/signup">Sign up</Link>
        </nav>
      )}
    </header>
  );
}
