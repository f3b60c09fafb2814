import { headers } from 'next/headers';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/current-user';
import { relyingPartyFor } from '@/lib/auth/passkey-ceremonies';
import { safeNextPath } from '@/lib/auth/redirects';
import { isPasswordResetEnabled } from '@/lib/config';
import { withPageBoundary } from '@/lib/http/page-boundary';
import { SignInForm } from '../components/auth-forms';
import { PasskeySignIn } from '../components/passkey-sign-in';
import { type SearchParams, single } from '../components/search-params';

export const metadata = { title: 'Sign in · Chirpy' };

async function LoginPage({ searchParams }: { searchParams: SearchParams }) {
  const next = safeNextPath(single((await searchParams).next));
  if (await getCurrentUser()) redirect(next);
  return (
    <>
      <h1>Sign in</h1>
      <SignInForm next={next} />
      {relyingPartyFor(await headers()) !== null && <PasskeySignIn next={next} />}
      {isPasswordResetEnabled() && (
        <p className="hint">
          <Link href="/forgot-password">Forgot your password?</Link>
        </p>
      )}
      <p className="hint">
        New here? <Link href="/signup">Create an account</Link>
      </p>
    </>
  );
}

export default withPageBoundary('page /login', LoginPage);
