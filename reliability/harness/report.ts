import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Figures the parts report (requests sent, fuzz cases, the soak's memory curve), collected in the
 * run's folder and printed together when the suite ends.
 */
const REPORT_FILE = 'report.jsonl';

export function report(runDir: string, part: string, figures: Record<string, unknown>): void {
  appendFileSync(join(runDir, REPORT_FILE), `${JSON.stringify({ part, ...figures })}\n`);
}

export function printReport(runDir: string, totals: Record<string, unknown>): void {
  const path = join(runDir, REPORT_FILE);
  const lines = existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').filter(Boolean) : [];
  const out = ['', '=== reliability report', `totals: ${JSON.stringify(totals)}`, ...lines];
  let requests = 0;
  for (const line of lines) {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed === 'object' && parsed !== null && 'requests' in parsed && typeof parsed.requests === 'number') {
      requests += parsed.requests;
    }
  }
  out.push(`requests sent by the suite, all parts: ${requests}`, '');
  console.log(out.join('\n'));
}
