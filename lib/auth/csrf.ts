import 'server-only';
import { isSecureRequest, requestHost } from '../http/forwarded';

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
  const fetchSite = request.headers.get('sec-fetch-site');
  if (fetchSite !== null) return fetchSite === 'same-origin';
  const origin = request.headers.get('origin');
  if (origin === null || origin === 'null') return false;
  return origin === ownOrigin(request);
}

function ownOrigin(request: Request): string | null {
  const host = requestHost(request.headers);
  if (!host) return null;
  const url = new URL(request.url);
  return `${isSecureRequest(request.headers, url) ? 'https' : 'http'}://${host}`;
}
