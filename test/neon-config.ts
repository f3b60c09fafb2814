import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * @vercel/postgres 0.10 pins @neondatabase/serverless ^0.9 while drizzle-orm wants ≥0.10, so npm
 * nests 0.9 under @vercel/postgres, and that nested copy holds the config @vercel/postgres reads.
 * Find it from @vercel/postgres's own location, and load its ESM build, the one that
 * @vercel/postgres's ESM build imports (the CommonJS build would be a separate instance).
 */
type NeonConfig = {
  wsProxy: string | ((host: string, port: number | string) => string) | undefined;
  useSecureWebSocket: boolean;
  pipelineConnect: false | 'password';
  pipelineTLS: boolean;
};

async function loadNeonConfig(): Promise<NeonConfig> {
  const require = createRequire(import.meta.url);
  const commonJsEntry = createRequire(require.resolve('@vercel/postgres')).resolve('@neondatabase/serverless');
  const neon: { neonConfig: NeonConfig } = await import(pathToFileURL(join(dirname(commonJsEntry), 'index.mjs')).href);
  return neon.neonConfig;
}

/** Sends @vercel/postgres through a relay (`host:port`) over plain ws://; returns how to undo it. */
export async function routeVercelPostgresThrough(relayAddress: string): Promise<() => void> {
  const config = await loadNeonConfig();
  // neonConfig's fields are static accessors over one shared `opts` object, so a spread copy
  // would alias the live settings: save the values themselves.
  const saved: NeonConfig = {
    wsProxy: config.wsProxy,
    useSecureWebSocket: config.useSecureWebSocket,
    pipelineConnect: config.pipelineConnect,
    pipelineTLS: config.pipelineTLS,
  };
  config.wsProxy = (host, port) => `${relayAddress}/v1?address=${host}:${port}`;
  config.useSecureWebSocket = false;
  config.pipelineConnect = false;
  config.pipelineTLS = false;
  return () => Object.assign(config, saved);
}
