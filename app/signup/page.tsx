import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/current-user';
import { formErrorMessage } from '@/lib/auth/form-errors';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/password';
import { EmailField, FormError, PasswordField } from '../components/auth-fields';
import { PendingForm } from '../components/pending-form';
import { type SearchParams, single } from '../components/search-params';

export const metadata = { title: 'Sign up · Chirpy' };

export default async function SignupPage({ searchParams }: { searchParams: SearchParams }) {
  if (await getCurrentUser()) redirect('/');
  const error = formErrorMessage(single((await searchParams).error));
  return (
    <>
      <h1>Create your account</h1>
      <PendingForm action="/api/users" submitLabel="Sign up" pendingLabel="Creating account…" className="stack">
        <FormError message={error} />
        <EmailField />
        <PasswordField autoComplete="new-password" minLength={MIN_PASSWORD_LENGTH} />
        <p className="hint">At least {MIN_PASSWORD_LENGTH} characters.</p>
      </PendingForm>
      <p className="hint">
        Already have an account? <Link href="/login">Sign in</Link>
      </p>
    </>
  );
}
