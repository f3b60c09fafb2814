import type { TimelineChirp } from '@/lib/chirps';
import { DeleteChirp } from './delete-chirp';
import { LocalTime } from './local-time';

export function ChirpyRedBadge() {
  return <span className="badge">Chirpy Red</span>;
}

/**
 * A page of chirps, newest first. Authors appear by name only (the part of their address before
 * the `@`): nothing here, nor in what the client components receive, holds an address.
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
  return (
    <>
      {chirps.length === 0 ? (
        <p className="hint">No chirps here yet.</p>
      ) : (
        <ul className="chirps" data-testid="timeline">
          {chirps.map((chirp) => (
            <li key={chirp.id} data-testid="chirp">
              <div className="meta">
                {/* A plain link: each next/link is a client component the server serializes and renders
                    again, and fifty of them cost the page about a seventh of its throughput. */}
                <a href={`/users/${chirp.authorId}`} className="author">
                  {chirp.authorName}
                </a>
                {chirp.authorIsChirpyRed && <ChirpyRedBadge />}
                <LocalTime iso={chirp.createdAt.toISOString()} />
              </div>
              <p className="body">{chirp.body}</p>
              {viewerId === chirp.authorId && <DeleteChirp chirpId={chirp.id} />}
            </li>
          ))}
        </ul>
      )}
      {olderHref !== null && (
        <p>
          <a href={olderHref} rel="next">
            Older chirps
          </a>
        </p>
      )}
    </>
  );
}
