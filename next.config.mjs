import { PHASE_DEVELOPMENT_SERVER } from 'next/constants.js';

/**
 * The Content-Security-Policy of every response the proxy does not shape: the API, static files,
 * anything outside the proxy's matcher. It allows no inline script at all. Pages get the same
 * policy from the proxy with a per-request nonce for Next's inline bootstrap scripts instead
 * (lib/http/content-security-policy.ts, which a test keeps in step with this one); the proxy's
 * header replaces this one. The development server also needs eval: React rebuilds server errors'
 * call stacks in the browser with it.
 */
function contentSecurityPolicy(development) {
  return [
    "default-src 'self'",
    `script-src 'self'${development ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

function securityHeaders(development) {
  const headers = [
    { key: 'Content-Security-Policy', value: contentSecurityPolicy(development) },
    { key: 'X-Content-Type-Options', value: 'nosniff' },
    { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
    { key: 'X-Frame-Options', value: 'DENY' },
    { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
    {
      key: 'Permissions-Policy',
      value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()',
    },
  ];
  // Browsers ignore HSTS over plain http, but a development server should never send it: a
  // mistaken one on localhost would pin every local project to https for two years.
  if (!development) {
    headers.push({ key: 'Strict-Transport-Security', value: 'max-age=63072000; includeSubDomains' });
  }
  return headers;
}

/** @type {(phase: string) => import('next').NextConfig} */
export default function nextConfig(phase) {
  const development = phase === PHASE_DEVELOPMENT_SERVER;
  const forVercel = Boolean(process.env.VERCEL);
  return {
    // On Vercel the app refuses to run without POSTGRES_URL, so the embedded database (20 MB of
    // WASM and extensions) would only be carried by every function and slow each cold start: a
    // Vercel build gets a stand-in that says so. Everywhere else it is loaded from node_modules.
    ...(forVercel
      ? {
          turbopack: { resolveAlias: { '@electric-sql/pglite': './lib/db/pglite-unavailable.ts' } },
          serverExternalPackages: ['bcrypt'],
        }
      : { serverExternalPackages: ['@electric-sql/pglite', 'bcrypt'] }),
    poweredByHeader: false,
    // Next's own trailing-slash redirect (`/login/` → `/login`) is answered before any header rule
    // applies, so it went out without the security headers. The proxy redirects pages instead;
    // an API path with a trailing slash is simply served.
    skipTrailingSlashRedirect: true,
    async headers() {
      return [{ source: '/:path*', headers: securityHeaders(development) }];
    },
  };
}
