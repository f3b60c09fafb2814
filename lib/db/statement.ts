import 'server-only';
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { type Database, getDb } from './client';

type Prepared = { execute: (values: Record<string, unknown>) => Promise<unknown> };

/**
 * A statement for the hot paths (the session check, a renewal, a refresh, a chirp by id): its SQL
 * text and parameter order are built once, from drizzle's `sql` with `sql.placeholder()` for the
 * values, and each call only fills them in. Building a query costs more than sending it: ~350 µs
 * of drizzle's query builder against ~150 µs for the whole round trip of a prepared one (measured
 * on the session check, PostgreSQL 15, this project's benchmark machine).
 *
 * Named, so each connection parses it once and then sends only the values: the rotation's text is
 * over a kilobyte, and writing it on every call showed in the profile. A transaction-pooling
 * PgBouncer in front of Postgres needs `max_prepared_statements` set (1.21 and later; Neon's pooler
 * has it). Returns the driver's raw result (`{ rows }`), for the caller to validate.
 */
export function prepareStatement(
  name: string,
  build: () => SQL,
): (values: Record<string, unknown>) => Promise<unknown> {
  let query: ReturnType<PgDialect['sqlToQuery']> | undefined;
  const statement = preparedPerDatabase((db): Prepared => {
    query ??= new PgDialect().sqlToQuery(build());
    return db._.session.prepareQuery(query, undefined, name, false);
  });
  return async (values) => (await statement()).execute(values);
}

/**
 * The same for a query drizzle's builder makes (and maps the rows of): `prepare` is called once
 * per database and its prepared query kept. Per database, because tests swap the database in and
 * out (lib/db/client.ts swapDatabase).
 */
export function preparedPerDatabase<T>(prepare: (db: Database) => T): () => Promise<T> {
  const prepared = new WeakMap<Database, T>();
  return async () => {
    const db = await getDb();
    let statement = prepared.get(db);
    if (statement === undefined) {
      statement = prepare(db);
      prepared.set(db, statement);
    }
    return statement;
  };
}
