import { connect } from 'node:net';
import { WebSocketServer } from 'ws';

/**
 * What Vercel's Postgres proxy does, minus TLS: one TCP connection per WebSocket, binary frames
 * piped both ways. It lets @vercel/postgres reach this machine's Postgres. Only loopback targets
 * are allowed, so a test can never relay to anywhere else.
 */

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export type Relay = { address: string; close: () => Promise<void> };

function parseTarget(requestUrl: string | undefined): { host: string; port: number } | null {
  const target = new URL(requestUrl ?? '/', 'http://relay').searchParams.get('address');
  const match = target === null ? null : /^(.+):(\d+)$/.exec(target);
  if (!match?.[1] || !match[2] || !LOOPBACK.has(match[1])) return null;
  return { host: match[1].replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

export async function startRelay(): Promise<Relay> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (socket, request) => {
    const target = parseTarget(request.url);
    if (target === null) {
      socket.close(1008, 'only loopback targets are relayed');
      return;
    }
    const tcp = connect(target);
    socket.on('message', (data: Buffer) => tcp.write(data));
    tcp.on('data', (chunk) => socket.send(chunk, { binary: true }));
    socket.on('close', () => tcp.end());
    tcp.on('close', () => socket.close());
    socket.on('error', () => tcp.destroy());
    tcp.on('error', () => socket.terminate());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('relay is not listening on a TCP port');
  return {
    address: `127.0.0.1:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
