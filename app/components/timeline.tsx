import Link from 'next/link';
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
                {/* No prefetch: fifty author links would each cost the server a render. */}
                <Link href={`/users/${chirp.authorId}`} className="author" prefetch={false}>
                  {chirp.authorName}
                </Link>
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
          <Link href={olderHref} rel="next" prefetch={false}>
            Older chirps
          </Link>
        </p>
      )}
    </>
  );
}
