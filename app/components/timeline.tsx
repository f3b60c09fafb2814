import type { TimelineChirp } from '@/lib/chirps';
import { type TimelineAuthor, type TimelineEntry, TimelineList } from './timeline-list';

/**
 * A page of chirps, newest first. Authors appear by name only (the part of their address before
 * the `@`): nothing here, nor in what the client components receive, holds an address. Which
 * chirps the reader may delete is decided here, so the reader's own id never reaches the page
 * unless it is on the page already, as the author of chirps on it.
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
  const { authors, entries } = timelineData(chirps, viewerId);
  return (
    <>
      {entries.length === 0 ? (
        <p className="hint">No chirps here yet.</p>
      ) : (
        <TimelineList authors={authors} entries={entries} />
      )}
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

/**
 * What the list receives: each author once, and each chirp pointing at its author. A page is
 * serialized into its payload value by value, so an author of many chirps on the page (a reader
 * looking at their own) is written once rather than once per chirp.
 */
function timelineData(
  chirps: TimelineChirp[],
  viewerId: string | null,
): { authors: TimelineAuthor[]; entries: TimelineEntry[] } {
  const authors: TimelineAuthor[] = [];
  const indexOf = new Map<string, number>();
  const entries = chirps.map((chirp): TimelineEntry => {
    let by = indexOf.get(chirp.authorId);
    if (by === undefined) {
      by = authors.length;
      indexOf.set(chirp.authorId, by);
      authors.push({
        id: chirp.authorId,
        name: chirp.authorName,
        chirpyRed: chirp.authorIsChirpyRed,
        reader: chirp.authorId === viewerId,
      });
    }
    return { id: chirp.id, body: chirp.body, at: chirp.createdAt, by };
  });
  return { authors, entries };
}
