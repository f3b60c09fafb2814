import type { TimelineChirp } from '@/lib/chirps';
import { type TimelineEntry, TimelineList } from './timeline-list';

/**
 * A page of chirps, newest first. Authors appear by name only (the part of their address before
 * the `@`): nothing here, nor in what the client components receive, holds an address. Which
 * chirps the reader may delete is decided here, so the reader's own id never reaches the page.
 */
export function Timeline({
  chirps,
  viewerId,
  olderHref,
}: {
  chirps: TimelineChirp[];
  viewerId: string | null;
  olderHref: string | null;
}) {
  const entries = chirps.map(
    (chirp): TimelineEntry => ({
      id: chirp.id,
      body: chirp.body,
      createdAt: chirp.createdAt.toISOString(),
      authorId: chirp.authorId,
      authorName: chirp.authorName,
      authorIsChirpyRed: chirp.authorIsChirpyRed,
      own: viewerId === chirp.authorId,
    }),
  );
  return (
    <>
      {entries.length === 0 ? <p className="hint">No chirps here yet.</p> : <TimelineList entries={entries} />}
      {olderHref !== null && (
        <p>
          {/* A plain link: a next/link is a client component that also prefetches its target. */}
          <a href={olderHref} rel="next">
            Older chirps
          </a>
        </p>
      )}
    </>
  );
}
