import { z } from 'zod';
import { expectStatus, send } from '../harness/http';

/**
 * SQL for the harness, through the bench-only route (bench/routes/sql.ts) and so through the
 * app's own driver and connection: the same path on PostgreSQL and on the embedded database,
 * which admits no second process. One statement per call. Every value the harness puts into a
 * statement is its own (numbers, hex, UUIDs, fixed words), quoted by `literal` regardless.
 */

const answerSchema = z.object({ rows: z.array(z.record(z.string(), z.unknown())) });

// Seeding a chunk of 100,000 rows on the embedded database can take a while; nothing else should.
const STATEMENT_TIMEOUT_MS = 300_000;

export class BenchSql {
  constructor(
    private readonly port: number,
    private readonly secret: string,
  ) {}

  async rows(statement: string): Promise<Record<string, unknown>[]> {
    const answer = await send(this.port, 'POST', '/bench-sql.txt', {
      headers: { 'x-bench-secret': this.secret, 'content-type': 'text/plain' },
      body: statement,
      timeoutMs: STATEMENT_TIMEOUT_MS,
    });
    expectStatus(answer, 200, `SQL ${statement.slice(0, 120).replace(/\s+/g, ' ')}`);
    return answerSchema.parse(JSON.parse(answer.text)).rows;
  }

  async run(statement: string): Promise<void> {
    await this.rows(statement);
  }

  /** The first column of the first row as a number (write `count(*)::int` etc. in the statement). */
  async number(statement: string): Promise<number> {
    const [row] = await this.rows(statement);
    return z.coerce.number().parse(Object.values(row ?? {})[0]);
  }

  async text(statement: string): Promise<string> {
    const [row] = await this.rows(statement);
    return z.string().parse(Object.values(row ?? {})[0]);
  }
}

/** A SQL string literal. */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
