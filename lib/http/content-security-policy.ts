import { randomBytes } from 'node:crypto';
import { isDevelopmentServer } from '../config';

/**
 * The pages' Content-Security-Policy. Next's App Router bootstraps each page with inline scripts
 * (`self.__next_f.push(...)`); instead of allowing every inline script ('unsafe-inline', which
 * would let an injected one run too), the proxy puts a fresh nonce in each page request's policy.
 * Next reads the nonce from the request's Content-Security-Policy header and stamps it on its own
 * scripts; 'strict-dynamic' lets those scripts load the page's chunks. Every page is rendered per
 * request anyway (they read the session cookie), so the nonce costs no caching.
 *
 * Responses the proxy does not shape (the API, static files) keep next.config.mjs's policy, which
 * allows no inline script at all. Styles stay 'unsafe-inline': React sets style attributes, and
 * an injected style cannot run code.
 */

/** 128 random bits, fresh for each page request. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The development server also needs eval: React rebuilds server errors' call stacks with it. */
export function pageContentSecurityPolicy(nonce: string, development = isDevelopmentServer()): string {
  return policy(`'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ''}`);
}

/** Every other response's policy (next.config.mjs sets the same): no inline script at all. */
export function staticContentSecurityPolicy(development = isDevelopmentServer()): string {
  return policy(`'self'${development ? " 'unsafe-eval'" : ''}`);
}

function policy(scriptSources: string): string {
  return [
    "default-src 'self'",
    `script-src ${scriptSources}`,
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
