import Link from 'next/link';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { isPasswordResetEnabled } from '@/lib/config';
import { ForgotPasswordForm } from '../components/password-reset-forms';

export const metadata = { title: 'Forgot your password? · Chirpy' };

export default async function ForgotPasswordPage() {
  // Rendered per request: PASSWORD_RESET_ENABLED is the running server's, not the build's.
  await connection();
  if (!isPasswordResetEnabled()) notFound();
  return (
    <>
      <h1>Forgot your password?</h1>
      <p className="hint">Enter the email you sign in with, and we will send you a link to choose a new password.</p>
      <ForgotPasswordForm />
      <p className="hint">
        Remembered it? <Link href="/login">Sign in</Link>
      </p>
    </>
  );
}
