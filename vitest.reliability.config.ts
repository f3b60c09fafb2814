import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The parts run in the order of their file names; the leak check comes last and reads them all. */
class ByFileName extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}

/**
 * `npm run test:reliability`: two production servers on one fresh PostgreSQL database, started by
 * reliability/harness/global-setup.ts, and the parts in reliability/*.test.ts run against them in
 * one worker, one file after another (they share the servers, and the leak check reads what every
 * part handled).
 */
export default defineConfig({
  resolve: {
    alias: { '@': root, 'server-only': `${root}test/server-only.ts` },
  },
  test: {
    include: ['reliability/**/*.test.ts'],
    globalSetup: ['reliability/harness/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    isolate: false,
    sequence: { sequencer: ByFileName },
    testTimeout: 180_000,
    hookTimeout: 300_000,
    teardownTimeout: 60_000,
    env: { NODE_ENV: 'test' },
  },
});
