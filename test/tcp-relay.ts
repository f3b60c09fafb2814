import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay between the app and PostgreSQL that a test can stall and cut, to put the database
 * "away" in the middle of a query. Loopback only, both ends.
 */
export type TcpRelay = {
  port: number;
  /** Stops passing bytes either way: queries already sent wait for an answer that does not come. */
  stall: () => void;
  /** Drops every connection and refuses new ones, as a network cut or a database crash does. */
  cut: () => void;
  /** Back to normal: new connections go through again. */
  restore: () => void;
  close: () => Promise<void>;
};

export async function startTcpRelay(target: { host: '127.0.0.1' | 'localhost'; port: number }): Promise<TcpRelay> {
  const pairs = new Set<[Socket, Socket]>();
  let stalled = false;
  let refusing = false;

  const server: Server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(target);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const forward = (to: Socket) => (data: Buffer) => {
      if (!stalled) to.write(data);
    };
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('relay has no TCP address');

  return {
    port: address.port,
    stall: () => {
      stalled = true;
    },
    cut: () => {
      refusing = true;
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    restore: () => {
      stalled = false;
      refusing = false;
    },
    close: async () => {
      refusing = true;
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
