import 'server-only';
import http from 'node:http';
import { isDevelopmentServer } from '../config';
import { staticContentSecurityPolicy } from './content-security-policy';

/**
 * The security headers every response starts with. next.config.mjs's header rules and the proxy
 * set them (and the pages' nonce policy) on what Next routes, but Next answers a few requests
 * itself before any rule applies: it redirects a path with repeated slashes (`//x`, `/a//b`) to
 * the clean one. So the server puts these on each response the moment a request arrives; what
 * Next sets later replaces them.
 */
export function baselineSecurityHeaders(development = isDevelopmentServer()): Array<[string, string]> {
  return [
    ['Content-Security-Policy', staticContentSecurityPolicy(development)],
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'strict-origin-when-cross-origin'],
    ['X-Frame-Options', 'DENY'],
  ];
}

const state = globalThis as typeof globalThis & { chirpyBaselineHeaders?: boolean };

/** Patches Node's HTTP server once per process (started by instrumentation.ts, like the peer stamp). */
export function installBaselineHeaders(): void {
  if (state.chirpyBaselineHeaders) return;
  state.chirpyBaselineHeaders = true;
  const headers = baselineSecurityHeaders();
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function withBaselineHeaders(this: http.Server, event: string, ...args: unknown[]) {
    const response = args[1];
    if (event === 'request' && response instanceof http.ServerResponse) {
      for (const [name, value] of headers) response.setHeader(name, value);
    }
    return Reflect.apply(emit, this, [event, ...args]);
  };
}
