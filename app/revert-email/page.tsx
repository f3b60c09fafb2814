import type { Metadata } from 'next';
import { isEmailLinkUsable } from '@/lib/auth/email-verification';
import { withPageBoundary } from '@/lib/http/page-boundary';
import { MESSAGES } from '@/lib/messages';
import { FormError, FormNotice } from '../components/auth-fields';
import { RevertEmailForm } from '../components/email-verification-forms';
import { type SearchParams, single } from '../components/search-params';

// The address holds the token: it may go in a Referer only to this site.
export const metadata: Metadata = { title: 'This was not me · Chirpy', referrer: 'same-origin' };

/**
 * The "this wasn't me" link's page, from the notice mailed to an address the account left.
 * Opening it only reads; the button puts the address back and ends every session.
 */
async function RevertEmailPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  if (single(params.done) === '1') {
    return (
      <>
        <h1>Your address is back</h1>
        <FormNotice message={MESSAGES.email_change_reverted} />
        <p className="hint">
          <a href="/login">Sign in</a> · <a href="/forgot-password">Choose a new password</a>
        </p>
      </>
    );
  }
  const token = single(params.token) ?? '';
  const usable = await isEmailLinkUsable(token, 'revert');
  return (
    <>
      <h1>This was not me</h1>
      {usable ? (
        <>
          <p>
            This puts back the address this link was mailed to, cancels any change waiting for confirmation, and signs
            the account out everywhere.
          </p>
          <RevertEmailForm token={token} />
        </>
      ) : (
        <FormError message={MESSAGES.email_link_invalid} />
      )}
    </>
  );
}

export default withPageBoundary('page /revert-email', RevertEmailPage);
