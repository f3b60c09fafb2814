import { createServer, type IncomingHttpHeaders, type RequestListener, request, type Server } from 'node:http';
import { afterAll, beforeAll } from 'vitest';

export type LocalServer = {
  /** The address of `path` on this server, for fetch. */
  url(path: string): string;
  /** A GET over a connection of its own, answered as sent: no redirect followed, nothing decoded. */
  get(path: string, headers?: Record<string, string>): Promise<{ headers: IncomingHttpHeaders; body: string }>;
};

/**
 * A plain Node HTTP server on loopback for the tests of one file, for what only a real server
 * shows (the headers Node itself writes, the socket's peer). Started before the file's tests (after
 * any `beforeAll` registered ahead of this call), closed after them.
 */
export function localServerForThisFile(handler: RequestListener): LocalServer {
  let server: Server | undefined;
  let port = 0;

  beforeAll(async () => {
    const started = createServer(handler);
    await new Promise<void>((resolve) => started.listen(0, '127.0.0.1', resolve));
    const address = started.address();
    if (typeof address !== 'object' || address === null) throw new Error('the local server has no port');
    server = started;
    port = address.port;
  });

  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    get: (path, headers = {}) =>
      new Promise((resolve, reject) => {
        const outgoing = request({ host: '127.0.0.1', port, path, headers }, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => {
            body += chunk.toString();
          });
          response.on('end', () => resolve({ headers: response.headers, body }));
        });
        outgoing.on('error', reject);
        outgoing.end();
      }),
  };
}
