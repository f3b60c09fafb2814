/**
 * Stands in for `@electric-sql/pglite` in builds for Vercel (next.config.mjs), so that 20 MB of
 * WASM never ship with every function. On Vercel the app refuses to run without POSTGRES_URL
 * (lib/db/client.ts), so nothing constructs it; if something ever did, it says why it cannot.
 */
export class PGlite {
  constructor() {
    throw new Error('The embedded database is not part of a Vercel build: set POSTGRES_URL.');
  }
}

export const types = {};
