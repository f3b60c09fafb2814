import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baselineSecurityHeaders, installBaselineHeaders } from './baseline-headers';

describe('the baseline security headers on a real HTTP server', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    installBaselineHeaders();
    // Answers the way Next answers a repeated-slash path (a bare redirect), or with its own policy.
    server = createServer((incoming, response) => {
      if (incoming.url === '/own-policy') response.setHeader('Content-Security-Policy', "default-src 'none'");
      response.writeHead(incoming.url === '/own-policy' ? 200 : 308, { Location: '/x' });
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function headersOf(path: string): Promise<Record<string, string | string[] | undefined>> {
    return new Promise((resolve, reject) => {
      const outgoing = request({ host: '127.0.0.1', port, path }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.headers));
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
  }

  it('puts them on a response the handler sets nothing on', async () => {
    const headers = await headersOf('//x');
    for (const [name, value] of baselineSecurityHeaders()) expect(headers[name.toLowerCase()]).toBe(value);
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('lets the handler’s own value replace them, never doubling a header', async () => {
    expect((await headersOf('/own-policy'))['content-security-policy']).toBe("default-src 'none'");
  });
});
