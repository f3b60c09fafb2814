import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/current-user';
import { withPageBoundary } from '@/lib/http/page-boundary';
import { SignUpForm } from '../components/auth-forms';

export const metadata = { title: 'Sign up · Chirpy' };

async function SignupPage() {
  if (await getCurrentUser()) redirect('/');
  return (
    <>
      <h1>Create your account</h1>
      <SignUpForm />
      <p className="hint">
        Already have an account? <Link href="/login">Sign in</Link>
      </p>
    </>
  );
}

export default withPageBoundary('page /signup', SignupPage);
