import { vi } from 'vitest';

/**
 * What `next dev` puts in its server's environment, and `next start` never does: the mark
 * lib/config.ts isDevelopmentServer reads. The suite runs with NODE_ENV=test, which is no
 * development server; a test of the development server's conveniences says so with these.
 */
export const DEVELOPMENT_SERVER_ENV = { __NEXT_DEV_SERVER: '1' } as const;

/** This test runs as under `next dev` (vitest's unstubEnvs ends it with the test). */
export function runAsDevelopmentServer(): void {
  vi.stubEnv('__NEXT_DEV_SERVER', '1');
}

/**
 * An environment as an operator may set it: `nodeEnv` any value (staging, or none at all), where
 * Next's types list only development, production and test. Then `values`.
 */
export function environment(
  nodeEnv: string | undefined,
  values: Record<string, string | undefined> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NODE_ENV: 'production', ...values };
  Reflect.set(env, 'NODE_ENV', nodeEnv);
  return env;
}
