import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/current-user';
import { readPendingStepCookie } from '@/lib/auth/pending-step-cookie';
import { safeNextPath } from '@/lib/auth/redirects';
import { withPageBoundary } from '@/lib/http/page-boundary';
import { isSecureRequest } from '@/lib/http/request-context';
import { type SearchParams, single } from '../../components/search-params';
import { SecondStepForm } from '../../components/second-step-form';

export const metadata = { title: 'Two-step sign-in · Chirpy' };

/**
 * The second step of signing in, for a browser whose password held and whose account asks for a
 * code. Without the pending step's cookie there is nothing to finish: back to the password.
 */
async function SecondStepPage({ searchParams }: { searchParams: SearchParams }) {
  const next = safeNextPath(single((await searchParams).next));
  if (await getCurrentUser()) redirect(next);
  const secure = isSecureRequest(await headers());
  if (readPendingStepCookie(await cookies(), secure) === undefined) redirect('/login');
  return (
    <>
      <h1>Two-step sign-in</h1>
      <SecondStepForm next={next} />
    </>
  );
}

export default withPageBoundary('page /login/code', SecondStepPage);
