import 'server-only';
import { isSecureRequest, requestHost } from '../http/request-context';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/**
 * Did the browser send this from one of our own pages? Browsers set `Sec-Fetch-Site` and `Origin`
 * on unsafe requests and scripts cannot forge either. A request with neither (curl, an old
 * browser) is not treated as ours: such clients should use Bearer tokens, not cookies.
 */
export function isSameOriginRequest(request: Request): boolean {
  const origin = request.headers.get('origin');
  // No browser sends an Origin that is not a URL; Next's server actions would fail on it with a 500.
  if (origin !== null && origin !== 'null' && !URL.canParse(origin)) return false;
  const fetchSite = request.headers.get('sec-fetch-site');
  if (fetchSite !== null) return fetchSite === 'same-origin';
  if (origin === null || origin === 'null') return false;
  return origin === ownOrigin(request);
}

function ownOrigin(request: Request): string | null {
  const host = requestHost(request.headers);
  if (!host) return null;
  const url = new URL(request.url);
  return `${isSecureRequest(request.headers, url) ? 'https' : 'http'}://${host}`;
}

export const CROSS_SITE_REFUSED = 'Cross-site request refused';

/**
 * A write (not GET/HEAD/OPTIONS) that did not come from our own pages. Checked where a cookie
 * authenticates a write (lib/auth/current-user.ts, the cookie paths of /api/refresh and
 * /api/revoke) as well as in the proxy: the proxy does not run for every cookie-carrying API
 * call, and a request with neither Origin nor Sec-Fetch-Site never counts as ours.
 */
export function isCrossSiteWrite(request: Request): boolean {
  return !isSafeMethod(request.method) && !isSameOriginRequest(request);
}
