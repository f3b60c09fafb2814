import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/current-user';
import { formErrorMessage } from '@/lib/auth/form-errors';
import { safeNextPath } from '@/lib/auth/redirects';
import { EmailField, FormError, PasswordField } from '../components/auth-fields';
import { PendingForm } from '../components/pending-form';
import { type SearchParams, single } from '../components/search-params';

export const metadata = { title: 'Sign in · Chirpy' };

export default async function LoginPage({ searchParams }: { searchParams: SearchParams }) {
  const query = await searchParams;
  const next = safeNextPath(single(query.next));
  if (await getCurrentUser()) redirect(next);
  const error = formErrorMessage(single(query.error));
  return (
    <>
      <h1>Sign in</h1>
      <PendingForm
        action={`/api/login?next=${encodeURIComponent(next)}`}
        submitLabel="Sign in"
        pendingLabel="Signing in…"
        className="stack"
      >
        <FormError message={error} />
        <EmailField />
        <PasswordField autoComplete="current-password" />
      </PendingForm>
      <p className="hint">
        New here? <Link href="/signup">Create an account</Link>
      </p>
    </>
  );
}
