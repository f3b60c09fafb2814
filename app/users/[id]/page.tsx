import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { getCurrentUser } from '@/lib/auth/current-user';
import { authorIdSchema, decodeCursor, findAuthor, listTimeline } from '@/lib/chirps';
import { getSettings } from '@/lib/config';
import { withPageBoundary } from '@/lib/http/page-boundary';
import { ChirpyRedBadge } from '../../components/chirpy-red-badge';
import { type SearchParams, single } from '../../components/search-params';
import { Timeline } from '../../components/timeline';

type Params = Promise<{ id: string }>;

/** One author's chirps, public like the timeline. Unknown or malformed ids are a 404. */
const authorFor = cache(async (id: string) => {
  const parsed = authorIdSchema.safeParse(id);
  return parsed.success ? findAuthor(parsed.data) : null;
});

async function authorMetadata({ params }: { params: Params }): Promise<Metadata> {
  const author = await authorFor((await params).id);
  return { title: author ? `${author.name} · Chirpy` : 'Chirpy' };
}

async function AuthorPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const author = await authorFor((await params).id);
  if (!author) notFound();
  const cursor = decodeCursor(single((await searchParams).cursor) ?? '') ?? undefined;
  const [user, page] = await Promise.all([
    getCurrentUser(),
    listTimeline({ authorId: author.id, cursor, limit: getSettings().CHIRPS_PAGE_SIZE }),
  ]);
  return (
    <>
      <h1>
        {author.name} {author.isChirpyRed && <ChirpyRedBadge />}
      </h1>
      <Timeline
        chirps={page.chirps}
        viewerId={user?.id ?? null}
        olderHref={page.next === null ? null : `/users/${author.id}?cursor=${page.next}`}
      />
    </>
  );
}

export const generateMetadata = withPageBoundary('page /users/[id] (metadata)', authorMetadata);
export default withPageBoundary('page /users/[id]', AuthorPage);
