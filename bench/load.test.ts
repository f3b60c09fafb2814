import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { measure } from './load';

/** A stand-in server on 127.0.0.1, so the harness's own verdicts can be checked in a second. */
let server: Server | undefined;

function serve(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<number> {
  return new Promise((resolve) => {
    const listening = createServer(handler);
    server = listening;
    listening.listen(0, '127.0.0.1', () => {
      const address = listening.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
}

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const options = (port: number) => ({ port, seconds: 1, connections: 4, timeoutSeconds: 5 });

describe('measure', () => {
  it('reports throughput and latencies of a run whose answers are all good', async () => {
    const port = await serve((_request, response) => response.end('{"status":"ok"}'));
    const run = await measure({ method: 'GET', path: '/', verifyBody: (body) => body.includes('ok') }, options(port));
    expect(run.problems).toEqual([]);
    expect(run.completed).toBeGreaterThan(10);
    expect(run.rps).toBeGreaterThan(10);
    expect(run.p99Ms).toBeGreaterThanOrEqual(run.p50Ms);
  });

  it('makes a run with any non-2xx answer invalid, redirects included', async () => {
    let count = 0;
    const port = await serve((_request, response) => {
      count += 1;
      if (count % 10 === 0) response.writeHead(302, { location: '/login' });
      response.end('page');
    });
    const run = await measure({ method: 'GET', path: '/' }, options(port));
    expect(run.problems.join()).toMatch(/non-2xx answers: \d+× 302/);
  });

  it('makes a run invalid when a 200 has the wrong body, or sets cookies when it must not', async () => {
    const port = await serve((_request, response) => {
      response.setHeader('set-cookie', 'chirpy_access=new; Path=/');
      response.end('signed out');
    });
    const run = await measure(
      { method: 'GET', path: '/', verifyBody: (body) => body.includes('welcome'), setCookie: 'never' },
      options(port),
    );
    expect(run.problems.join('\n')).toMatch(/answers with an unexpected body/);
    expect(run.problems.join('\n')).toMatch(/answers set cookies/);
  });

  it('sends what next() gives for each request, and no more than maxRequests', async () => {
    const seen: string[] = [];
    const port = await serve((request, response) => {
      seen.push(String(request.headers.cookie));
      response.end('ok');
    });
    let next = 0;
    const run = await measure(
      {
        method: 'GET',
        path: '/',
        next: () => ({ method: 'GET', path: '/', headers: { cookie: `token=${next++}` } }),
        maxRequests: 40,
      },
      options(port),
    );
    expect(run.problems).toEqual([]);
    expect(seen).toHaveLength(40);
    expect(new Set(seen).size).toBe(40);
  });
});
