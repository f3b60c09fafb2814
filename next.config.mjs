import { PHASE_DEVELOPMENT_SERVER } from 'next/constants.js';

/**
 * The Content-Security-Policy allows inline scripts and styles because Next's App Router
 * bootstraps each page with inline scripts (`self.__next_f.push(...)`); a nonce would make
 * every page dynamic. Everything else comes from this origin only. The development server
 * also needs eval: React rebuilds server errors' call stacks in the browser with it.
 */
function contentSecurityPolicy(development) {
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${development ? " 'unsafe-eval'" : ''}`,
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
  return {
    serverExternalPackages: ['@electric-sql/pglite'],
    poweredByHeader: false,
    async headers() {
      return [{ source: '/:path*', headers: securityHeaders(development) }];
    },
  };
}
