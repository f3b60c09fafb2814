import { afterAll } from 'vitest';
import { runDir, stats } from './client';
import { report } from './report';

/**
 * A part's line in the suite's report, written when the part ends: the requests it sent through
 * the client (counted from here), then `figures`, which may replace that count with its own.
 */
export function reportWhenDone(part: string, figures: (sent: number) => Record<string, unknown> = () => ({})): void {
  const startRequests = stats.requests;
  afterAll(() => {
    const sent = stats.requests - startRequests;
    report(runDir, part, { requests: sent, ...figures(sent) });
  });
}
