import { after } from 'next/server';
import { type AfterResponseTask, scheduleAfterResponseWith } from '../lib/http/after-response';

/**
 * Work the code leaves for after the response (lib/http/after-response.ts), in the suites: inside
 * a request scope (test/request-scope.ts serve()) it goes to after() as in Next, and runs at the
 * test's runAfter(); a handler called bare has no scope, so its tasks wait here until the test
 * runs them with runLeftoverTasks(), or are dropped before the next test.
 */

const leftover: AfterResponseTask[] = [];

export function installAfterResponseForTests(): void {
  scheduleAfterResponseWith((task) => {
    try {
      after(task);
    } catch {
      // after() throws only when there is no request scope.
      leftover.push(task);
    }
  });
}

export function dropLeftoverTasks(): void {
  leftover.length = 0;
}

/** Runs the tasks handlers called outside a request scope left, oldest first. */
export async function runLeftoverTasks(): Promise<void> {
  while (leftover.length > 0) await leftover.shift()?.();
}
