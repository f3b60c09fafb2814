import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { isResetTokenUsable } from '@/lib/auth/password-reset';
import { isPasswordResetEnabled } from '@/lib/config';
import { withPageBoundary } from '@/lib/http/page-boundary';
import { MESSAGES } from '@/lib/messages';
import { FormError } from '../components/auth-fields';
import { ResetPasswordForm } from '../components/password-reset-forms';
import { type SearchParams, single } from '../components/search-params';

// The address holds the token: it may go in a Referer only to this site. (Not `no-referrer`: a
// browser then sends its form posts with `Origin: null`, which the Server Action check refuses.)
export const metadata: Metadata = { title: 'Choose a new password · Chirpy', referrer: 'same-origin' };

/**
 * The mailed link's page. It checks the link before asking for anything (a read: a mail scanner
 * opening the link spends nothing), so a used or expired one says so at once.
 */
async function ResetPasswordPage({ searchParams }: { searchParams: SearchParams }) {
  const token = single((await searchParams).token) ?? '';
  if (!isPasswordResetEnabled()) notFound();
  const usable = await isResetTokenUsable(token);
  return (
    <>
      <h1>Choose a new password</h1>
      {usable ? (
        <ResetPasswordForm token={token} />
      ) : (
        <>
          <FormError message={MESSAGES.reset_link_invalid} />
          <p className="hint">
            <Link href="/forgot-password">Ask for a new link</Link>
          </p>
        </>
      )}
    </>
  );
}

export default withPageBoundary('page /reset-password', ResetPasswordPage);
