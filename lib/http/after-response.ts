import 'server-only';
import { after } from 'next/server';

/**
 * Work that must not hold up the answer, or whose cost must not show in its timing (a mail, or a
 * write only a known address would cause): Next runs it once the response is out, with the
 * request's headers still readable. A task must not throw: it logs its own failure, naming no
 * secret.
 */

export type AfterResponseTask = () => Promise<void>;

type Scheduler = (task: AfterResponseTask) => void;

// The test suites install their own (test/after-response.ts): a handler called outside a request
// scope has nowhere to run after(). A server installs nothing.
let scheduler: Scheduler = after;

export function scheduleAfterResponseWith(replacement: Scheduler | null): void {
  scheduler = replacement ?? after;
}

export function runAfterResponse(task: AfterResponseTask): void {
  scheduler(task);
}
