import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * One suite, three databases:
 * - `npm test`: a fresh in-memory PGlite (no set-up at all);
 * - `DATABASE_URL=postgres://… npm test`: a fresh database created on that server for this run;
 * - `npm run test:vercel-postgres`: the same, reached through @vercel/postgres and a WebSocket relay.
 */
export default defineConfig(({ mode }) => {
  const testDriver = mode === 'vercel-postgres' ? 'vercel-postgres' : process.env.DATABASE_URL ? 'pg' : 'pglite';
  return {
    resolve: {
      alias: { '@': root, 'server-only': `${root}test/server-only.ts` },
    },
    test: {
      // `*.postgres.test.ts` need a real PostgreSQL (a relay in front of it): they run with DATABASE_URL.
      include: ['**/*.test.ts'],
      exclude: [
        '**/node_modules/**',
        'e2e/**',
        'reliability/**',
        '.next/**',
        ...(testDriver === 'pg' ? [] : ['**/*.postgres.test.ts']),
      ],
      globalSetup: ['test/global-setup.ts'],
      setupFiles: ['test/next-environment.ts', 'test/setup.ts'],
      // One process, files in turn, modules shared: one database for the whole run (an in-memory
      // PGlite costs 3–4 s and ~700 MB to start), emptied before each test.
      pool: 'forks',
      fileParallelism: false,
      isolate: false,
      // Each test starts from the configured environment: vi.stubEnv lasts one test.
      unstubEnvs: true,
      testTimeout: 20_000,
      hookTimeout: 60_000,
      provide: {
        testDriver,
        adminDatabaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      },
      env: {
        NODE_ENV: 'test',
        BCRYPT_COST: '4',
        JWT_SECRET: 'test-secret-that-is-at-least-32-characters-long',
        MFA_ENCRYPTION_KEY: 'test-mfa-key-that-is-at-least-32-characters-long',
        CHIRPY_DATA_DIR: 'memory:',
        PLATFORM: '',
        POLKA_KEY: 'test-polka-key',
        // Suites sign up and sign in many accounts from one address (none: requests carry no
        // socket), so these limits are out of their way; the rate-limit tests set their own.
        RATE_LIMIT_SIGNUP_IP_MAX: '100000',
        RATE_LIMIT_LOGIN_IP_MAX: '100000',
        RATE_LIMIT_LOGIN_ACCOUNT_MAX: '100000',
      },
    },
  };
});
