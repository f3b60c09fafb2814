import autocannon from 'autocannon';
import { type Measurement, percentile } from './stats';

/**
 * One load run with autocannon, against 127.0.0.1 only, bounded in time (duration, plus a hard
 * stop) and optionally in count. Every answer is checked: any non-2xx status, connection error,
 * timeout or body that fails `verifyBody` makes the run invalid, with the reason in `problems`.
 */

export type LoadRequest = {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
};

/** What one request of a run sends beside its method and path. */
export type LoadVariation = Pick<LoadRequest, 'headers' | 'body'>;

export type LoadTarget = LoadRequest & {
  /** Called before every request: the headers and body that request sends instead (a fresh cookie, a token from a pool). */
  next?: () => LoadVariation;
  /** A 2xx answer whose body fails this is counted as a mismatch. */
  verifyBody?: (body: string) => boolean;
  /** At most this many requests, whatever the duration (a pool of one-use cookies). */
  maxRequests?: number;
  /**
   * Whether answers set cookies: `never` for a valid access cookie (a renewal would mean the run
   * measured the slow path), `always` for rotation. Unset: not checked.
   */
  setCookie?: 'never' | 'always';
};

export type LoadOptions = { port: number; seconds: number; connections: number; timeoutSeconds: number };

// A run that has not ended this long after its duration is stopped and counted invalid.
const HARD_STOP_GRACE_MS = 15_000;

type Completed = {
  result: autocannon.Result | null;
  elapsedMs: number;
  latencies: number[];
  statuses: Map<number, number>;
  cookieMismatches: number;
  bytes: number;
};

function setsCookie(headers: unknown): boolean {
  return (
    typeof headers === 'object' &&
    headers !== null &&
    Object.keys(headers).some((name) => name.toLowerCase() === 'set-cookie')
  );
}

function runAutocannon(target: LoadTarget, options: LoadOptions): Promise<Completed> {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let cookieMismatches = 0;
  let bytes = 0;
  const expectation = target.setCookie;
  const base: autocannon.Request = {
    method: target.method,
    path: target.path,
    ...(expectation === undefined
      ? {}
      : {
          onResponse: (_status: number, _body: string, _context: object, headers: unknown) => {
            if (setsCookie(headers) !== (expectation === 'always')) cookieMismatches += 1;
          },
        }),
  };
  const next = target.next;
  const request: autocannon.Request = next
    ? { ...base, setupRequest: (current) => ({ ...current, ...toAutocannon({ ...target, ...next() }) }) }
    : { ...base, ...toAutocannon(target) };
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${options.port}`,
        connections: options.connections,
        duration: options.seconds,
        timeout: options.timeoutSeconds,
        // It ends a run at the first sample after the duration: sample often, end on time.
        sampleInt: 100,
        requests: [request],
        ...(target.maxRequests === undefined ? {} : { maxOverallRequests: target.maxRequests }),
        ...(target.verifyBody === undefined
          ? {}
          : { verifyBody: (body: unknown) => typeof body === 'string' && (target.verifyBody?.(body) ?? true) }),
      },
      (error: unknown, result: autocannon.Result) => {
        clearTimeout(hardStop);
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve({ result, elapsedMs: performance.now() - started, latencies, statuses, cookieMismatches, bytes });
      },
    );
    instance.on('response', (_client, statusCode, responseBytes, responseTime) => {
      latencies.push(responseTime);
      bytes += responseBytes;
      statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
    });
    const hardStop = setTimeout(
      () => {
        statuses.set(-1, 1);
        instance.stop();
      },
      options.seconds * 1000 + HARD_STOP_GRACE_MS,
    );
  });
}

function toAutocannon(request: LoadRequest): autocannon.Request {
  return {
    method: request.method,
    path: request.path,
    // A copy: autocannon writes Content-Length into the headers object it is given, and a shared
    // one would carry that length into every later request made with it.
    headers: { ...request.headers },
    ...(request.body === undefined ? {} : { body: request.body }),
  };
}

export async function measure(target: LoadTarget, options: LoadOptions): Promise<Measurement> {
  const { result, elapsedMs, latencies, statuses, cookieMismatches, bytes } = await runAutocannon(target, options);
  const problems: string[] = [];
  const unexpected = [...statuses].filter(([status]) => status < 200 || status > 299);
  const stoppedHard = statuses.has(-1);
  if (stoppedHard) problems.push('did not finish in time and was stopped');
  const answered = unexpected.filter(([status]) => status !== -1);
  if (answered.length > 0) {
    problems.push(`non-2xx answers: ${answered.map(([status, count]) => `${count}× ${status}`).join(', ')}`);
  }
  if (result) {
    if (result.timeouts > 0) problems.push(`${result.timeouts} timeouts`);
    if (result.errors - result.timeouts > 0) problems.push(`${result.errors - result.timeouts} connection errors`);
    if (result.mismatches > 0) problems.push(`${result.mismatches} answers with an unexpected body`);
  }
  if (cookieMismatches > 0) {
    problems.push(
      target.setCookie === 'never'
        ? `${cookieMismatches} answers set cookies (a session renewal: not the path this scenario measures)`
        : `${cookieMismatches} answers set no cookies (no rotation)`,
    );
  }
  const completed = latencies.length;
  if (completed === 0) problems.push('no answers at all');
  latencies.sort((a, b) => a - b);
  return {
    rps: completed / (elapsedMs / 1000),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    completed,
    bytesPerAnswer: completed > 0 ? bytes / completed : 0,
    problems,
    notes: [],
  };
}
