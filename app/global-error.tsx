'use client';

/**
 * The page for a render that failed: a bug, or a database outage where the 503 page could not be
 * sent in its place (a server action's request; see lib/http/page-boundary.ts). It replaces the
 * whole layout, which itself needs the database, so it stands alone. It never asks anyone to sign
 * in again: the session is untouched and a retry usually succeeds.
 */
export default function GlobalError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body>
        <main>
          <h1>Chirpy is briefly unavailable</h1>
          <p>Something went wrong on our side. You are still signed in: try again in a few seconds.</p>
          <button type="button" onClick={() => reset()}>
            Try again
          </button>
        </main>
      </body>
    </html>
  );
}
