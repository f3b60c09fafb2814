import { getCurrentUser } from '@/lib/auth/current-user';

/**
 * The cheapest signed-in page the app can serve, copied to `app/bench-page/page.tsx` in the
 * bench's own build only: the root layout (the header reads the session, as on every page), one
 * paragraph, and the proxy in front that gives every page its CSP nonce. No budget applies to it:
 * it shows how far below the floor any page of this app starts, timeline or not. Never shipped.
 */
export default async function BenchPageFloor() {
  const user = await getCurrentUser();
  return <p data-testid="welcome">{user ? 'Signed in.' : 'Signed out.'}</p>;
}
