import Link from 'next/link';
import { signOutAction } from '@/app/actions/auth';
import { getCurrentUser } from '@/lib/auth/current-user';
import { SubmitButton } from './submit-button';

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
          <Link href="/account">Account</Link>
          <form action={signOutAction}>
            <SubmitButton label="Sign out" pendingLabel="Signing out…" className="secondary" />
          </form>
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
