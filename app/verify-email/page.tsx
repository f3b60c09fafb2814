import type { Metadata } from 'next';
import { isEmailLinkUsable } from '@/lib/auth/email-verification';
import { withPageBoundary } from '@/lib/http/page-boundary';
import { MESSAGES } from '@/lib/messages';
import { FormError, FormNotice } from '../components/auth-fields';
import { ConfirmEmailForm, RequestConfirmationLinkForm } from '../components/email-verification-forms';
import { type SearchParams, single } from '../components/search-params';

// The address holds the token: it may go in a Referer only to this site.
export const metadata: Metadata = { title: 'Confirm your email address · Chirpy', referrer: 'same-origin' };

/**
 * The confirmation link's page. Opening it only reads (a mail scanner that follows links confirms
 * nothing); the button confirms. Without a token it is where a new account without a session
 * (REQUIRE_EMAIL_VERIFICATION) is sent, and where a new link can be asked for.
 */
async function VerifyEmailPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const token = single(params.token);
  if (single(params.confirmed) === '1') {
    return (
      <>
        <h1>Email address confirmed</h1>
        <FormNotice message={MESSAGES.email_confirmed} />
        <p className="hint">
          <a href="/">Go to Chirpy</a>
        </p>
      </>
    );
  }
  if (token === undefined) {
    return (
      <>
        <h1>Confirm your email address</h1>
        {single(params.sent) === '1' && <FormNotice message={MESSAGES.signed_up_confirm_email} />}
        <p className="hint">No mail? Check the spam folder, or ask for a new link.</p>
        <RequestConfirmationLinkForm />
      </>
    );
  }
  const usable = await isEmailLinkUsable(token, 'verify');
  return (
    <>
      <h1>Confirm your email address</h1>
      {usable ? (
        <ConfirmEmailForm token={token} />
      ) : (
        <>
          <FormError message={MESSAGES.email_link_invalid} />
          <RequestConfirmationLinkForm />
        </>
      )}
    </>
  );
}

export default withPageBoundary('page /verify-email', VerifyEmailPage);
