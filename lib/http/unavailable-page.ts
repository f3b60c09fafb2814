import 'server-only';
import { NextResponse } from 'next/server';
import { OUTAGE_RETRY_AFTER_SECONDS, serviceUnavailable } from './responses';

/**
 * What a browser gets when its session cannot be checked because the database is unreachable:
 * a plain page saying so, never a sign-in prompt, and the cookies left exactly as they were.
 * Static HTML, because the app's own pages need the database to render.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chirpy is unavailable</title>
</head>
<body>
<main>
<h1>Chirpy is briefly unavailable</h1>
<p>We cannot reach our database right now. You are still signed in: try again in a few seconds.</p>
<p><a href="">Try again</a></p>
</main>
</body>
</html>
`;

export function unavailablePage(): NextResponse {
  return new NextResponse(PAGE, {
    status: 503,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Retry-After': String(OUTAGE_RETRY_AFTER_SECONDS),
    },
  });
}

/** JSON for the API, the page for everything else. */
export function unavailableResponse(pathname: string): NextResponse {
  return pathname.startsWith('/api/') ? serviceUnavailable() : unavailablePage();
}
