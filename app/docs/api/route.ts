import { staticContentSecurityPolicy } from '@/lib/http/content-security-policy';

/**
 * The API reference for people: Swagger UI rendering GET /api/openapi.json. A route handler rather
 * than a page, so it needs no nonce: every script is a same-origin file (the renderer, copied into
 * public/ by scripts/copy-api-docs-assets.mjs, and its start-up script), and the page carries the
 * static policy, which allows no inline script. Styles stay 'unsafe-inline' as on every page:
 * Swagger UI sets style attributes. Nothing is fetched from a CDN, so the page works offline.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chirpy API reference</title>
<link rel="stylesheet" href="/docs/api/assets/vendor/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/api/assets/vendor/swagger-ui-bundle.js"></script>
<script src="/docs/api/assets/start.js"></script>
</body>
</html>
`;

export function GET(): Response {
  return new Response(PAGE, {
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': staticContentSecurityPolicy(),
    },
  });
}
