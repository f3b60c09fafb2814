import 'server-only';
import { NextResponse } from 'next/server';
import { OUTAGE_RETRY_AFTER_SECONDS } from './responses';

/**
 * What the proxy answers when it cannot renew a session for a reason that is not the session's
 * fault: the database is unreachable (503), or the session renewed too often (429); and what a
 * page answers when its own reads meet the outage. A plain page for a browser, JSON for the API,
 * never a sign-in prompt, and the cookies left exactly as they were. Static HTML, because the
 * app's own pages need the database to render.
 */
function page(title: string, text: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
</head>
<body>
<main>
<h1>${title}</h1>
<p>${text}</p>
<p><a href="">Try again</a></p>
</main>
</body>
</html>
`;
}

/** A page answer as parts: what the proxy sends as a response, and a page's render as its own. */
export type PageAnswer = { status: number; headers: Record<string, string>; body: string };

function htmlAnswer(status: number, body: string, retryAfterSeconds: number): PageAnswer {
  return {
    status,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Retry-After': String(retryAfterSeconds),
    },
    body,
  };
}

function htmlResponse(answer: PageAnswer): NextResponse {
  return new NextResponse(answer.body, { status: answer.status, headers: answer.headers });
}

/**
 * The database cannot be reached (503): the proxy's answer when a renewal meets the outage, and a
 * page's when its own reads do (lib/http/page-boundary.ts), so a browser sees one page for both.
 */
export function unavailablePageAnswer(): PageAnswer {
  const text = 'We cannot reach our database right now. You are still signed in: try again in a few seconds.';
  return htmlAnswer(503, page('Chirpy is briefly unavailable', text), OUTAGE_RETRY_AFTER_SECONDS);
}

/** The proxy's answers for a page it could not renew (API calls renew in their handlers). */
export function unavailablePage(): NextResponse {
  return htmlResponse(unavailablePageAnswer());
}

export function rateLimitedPage(retryAfterSeconds: number): NextResponse {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  const text = `This session asked for new credentials too often. You are still signed in: try again in ${seconds} seconds.`;
  return htmlResponse(htmlAnswer(429, page('Too many requests', text), seconds));
}
