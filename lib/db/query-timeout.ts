import { isQueryTimeout } from './errors';

/**
 * DATABASE_QUERY_TIMEOUT_MS for the pools that talk to PostgreSQL over a network: `pg`'s, and the
 * copy of it inside the Neon driver that @vercel/postgres uses. A database that accepts
 * connections and then never answers (a stalled network path, a frozen server) would otherwise
 * hold each request, and the pooled connection it waits on, forever.
 *
 * Two halves. The driver gives up on its own after the timeout (`query_timeout`, given to the
 * pool), whether the server is slow or gone, and the connection is ended (`endWhenAQueryTimesOut`).
 * And the server stops a statement that runs that long (`statement_timeout`): set with SET when a
 * connection opens, because a startup parameter is refused by poolers (PgBouncer 1.18 closes the
 * connection on it). Behind a transaction pooler the SET stays on whichever server connection ran
 * it; the driver's own timeout holds regardless.
 */

/**
 * What both pools hand their 'connect' event: a client that runs queries. Both clients have
 * `end()` too, though the Neon driver's type for it leaves it out.
 */
type Client = { query(text: string): Promise<unknown> };

/** The server's half, for a connection just opened, before its first query. */
export async function setStatementTimeout(client: Client, timeoutMs: number): Promise<void> {
  await client.query(`set statement_timeout = ${Math.trunc(timeoutMs)}`);
}

/**
 * A query that timed out is still in flight on its connection, and every later query on that
 * connection would queue behind it: inside a transaction, the ROLLBACK that follows would wait for
 * a second timeout and the connection would go back to the pool still stuck. So the connection is
 * ended at once (the driver destroys a socket that has a query in flight), the queries behind it
 * fail now, and the pool drops it. A timed-out query outside a transaction is dropped by the pool
 * anyway (it is handed back with its error); this covers the connections a transaction holds.
 */
export function endWhenAQueryTimesOut(client: Client): void {
  const query = client.query;
  Object.defineProperty(client, 'query', {
    configurable: true,
    writable: true,
    value: (...args: unknown[]): unknown => {
      const result: unknown = Reflect.apply(query, client, args);
      if (result instanceof Promise) {
        result.catch((error: unknown) => {
          if (isQueryTimeout(error)) end(client);
        });
      }
      return result;
    },
  });
}

function end(client: Client): void {
  if (!('end' in client) || typeof client.end !== 'function') return;
  const ended: unknown = Reflect.apply(client.end, client, []);
  // Ending a stuck connection destroys its socket; whatever that reports is the queries' business.
  if (ended instanceof Promise) ended.catch(() => {});
}
