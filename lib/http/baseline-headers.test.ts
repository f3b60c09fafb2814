import { beforeAll, describe, expect, it } from 'vitest';
import { localServerForThisFile } from '@/test/local-server';
import { baselineSecurityHeaders, installBaselineHeaders } from './baseline-headers';

describe('the baseline security headers on a real HTTP server', () => {
  beforeAll(() => installBaselineHeaders());

  // Answers the way Next answers a repeated-slash path (a bare redirect), or with its own policy.
  const server = localServerForThisFile((incoming, response) => {
    if (incoming.url === '/own-policy') response.setHeader('Content-Security-Policy', "default-src 'none'");
    response.writeHead(incoming.url === '/own-policy' ? 200 : 308, { Location: '/x' });
    response.end();
  });

  async function headersOf(path: string) {
    return (await server.get(path)).headers;
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
