import { getCurrentUser } from '@/lib/auth/current-user';
import { decodeCursor, listTimeline } from '@/lib/chirps';
import { getSettings } from '@/lib/config';
import { withPageBoundary } from '@/lib/http/page-boundary';
import { ChirpComposer } from './components/chirp-composer';
import { type SearchParams, single } from './components/search-params';
import { Timeline } from './components/timeline';

/**
 * The public timeline: everyone's chirps, newest first, a page at a time (`?cursor=` from the
 * "Older chirps" link). Signed-out visitors read it; signed-in ones also get the composer and a
 * Delete on their own chirps.
 */
async function HomePage({ searchParams }: { searchParams: SearchParams }) {
  // A cursor we cannot read (edited by hand, or from an older release) starts from the top.
  const cursor = decodeCursor(single((await searchParams).cursor) ?? '') ?? undefined;
  const [user, page] = await Promise.all([
    getCurrentUser(),
    listTimeline({ cursor, limit: getSettings().CHIRPS_PAGE_SIZE }),
  ]);
  return (
    <>
      <h1>Chirps</h1>
      {user ? (
        <>
          <p data-testid="welcome" className="hint">
            You are signed in as {user.email}.
          </p>
          {cursor === undefined && <ChirpComposer />}
        </>
      ) : (
        <p className="hint" data-testid="signed-out-intro">
          Read along, or <a href="/login">Sign in</a> to chirp.
        </p>
      )}
      <Timeline
        chirps={page.chirps}
        viewerId={user?.id ?? null}
        olderHref={page.next === null ? null : `/?cursor=${page.next}`}
      />
    </>
  );
}

export default withPageBoundary('page /', HomePage);
