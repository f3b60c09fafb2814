import { createServer } from 'node:net';

/**
 * A loopback port nobody listens on right now. The operating system picks it; `avoid` names ports
 * another tool may claim at any moment (the end-to-end server's), which a free port found now
 * would collide with later.
 */
export async function freePort(avoid: readonly number[] = []): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const chosen = typeof address === 'object' && address !== null ? address.port : 0;
        server.close(() => resolve(chosen));
      });
    });
    if (port !== 0 && !avoid.includes(port)) return port;
  }
}
