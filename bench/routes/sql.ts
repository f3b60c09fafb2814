import { sql } from 'drizzle-orm';
import { getDb } from '@/lib/db/client';
import { secretsEqual } from '@/lib/http/authorization';

/**
 * The harness's way into the database, copied to `app/bench-sql.txt/route.ts` in the bench's own
 * build only: it runs one SQL statement (the request body) through the app's own connection and
 * answers its rows. The embedded database admits one process, the server, so seeding and checks
 * must go through it; PostgreSQL runs take the same path so both databases are driven alike.
 *
 * It answers only with the run's secret (CHIRPY_BENCH_SECRET, random per run); the server listens
 * on 127.0.0.1 only. Never part of the shipped app.
 */
export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  const secret = process.env.CHIRPY_BENCH_SECRET ?? '';
  if (secret.length < 32 || !secretsEqual(request.headers.get('x-bench-secret') ?? '', secret)) {
    return new Response(null, { status: 404 });
  }
  const statement = await request.text();
  const db = await getDb();
  try {
    const result: unknown = await db.execute(sql.raw(statement));
    // node-postgres and PGlite both answer `{ rows: [...] }`; the shared driver type does not say so.
    const rows = typeof result === 'object' && result !== null && 'rows' in result ? result.rows : null;
    if (!Array.isArray(rows)) return Response.json({ error: 'the driver answered no rows array' }, { status: 500 });
    return Response.json({ rows });
  } catch (error) {
    // The harness wrote the statement: it gets the database's whole complaint.
    const messages: string[] = [];
    for (let cause: unknown = error; cause instanceof Error && messages.length < 4; cause = cause.cause) {
      messages.push(cause.message);
    }
    return Response.json({ error: messages.join(' / caused by: ') }, { status: 500 });
  }
}
