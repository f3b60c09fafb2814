import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What Next's server does before loading anything else (next/dist/server/node-environment-baseline):
 * its request scopes (after(), headers(), cookies()) live in AsyncLocalStorage instances created
 * from this global when Next's modules load. Without it they are inert stand-ins, and
 * test/request-scope.ts could not serve a handler the way Next does. First of the setup files,
 * so it runs before any test file imports Next.
 */
if (typeof Reflect.get(globalThis, 'AsyncLocalStorage') !== 'function') {
  Reflect.set(globalThis, 'AsyncLocalStorage', AsyncLocalStorage);
}
