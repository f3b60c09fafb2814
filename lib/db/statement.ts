import 'server-only';
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { getSettings } from '../config';
import { type Database, getDb } from './client';
import { preparedStatementCollision } from './errors';

type Prepared = { execute: (values: Record<string, unknown>) => Promise<unknown> };

/**
 * A statement for the hot paths (the session check, a renewal, a refresh, a chirp by id): its SQL
 * text and parameter order are built once, from drizzle's `sql` with `sql.placeholder()` for the
 * values, and each call only fills them in: on these paths building a query with drizzle's builder
 * costs more than the whole round trip of a prepared statement.
 *
 * Named, so each connection parses it once and then sends only the values: the rotation's text is
 * over a kilobyte, and writing it on every call showed in the profile. A pooler in transaction mode
 * that does not track prepared statements (PgBouncer before 1.21, or without
 * `max_prepared_statements`) hands each statement whichever server connection is free, where the
 * name is missing or already taken: DATABASE_PREPARED_STATEMENTS=false sends them unnamed instead,
 * and a collision is answered unnamed anyway (`executeNamed`). Returns the driver's raw result
 * (`{ rows }`), for the caller to validate.
 *
 * It always runs on its own, on the process's database and never inside a transaction: a failed
 * statement in a transaction would abort the transaction, and the retry could not run there.
 */
export function prepareStatement(
  name: string,
  build: () => SQL,
): (values: Record<string, unknown>) => Promise<unknown> {
  let query: ReturnType<PgDialect['sqlToQuery']> | undefined;
  const sqlOf = () => {
    query ??= new PgDialect().sqlToQuery(build());
    return query;
  };
  const named = perDatabase((db): Prepared => db._.session.prepareQuery(sqlOf(), undefined, name, false));
  const unnamed = perDatabase((db): Prepared => db._.session.prepareQuery(sqlOf(), undefined, undefined, false));
  return async (values) => {
    const db = await getDb();
    if (!getSettings().DATABASE_PREPARED_STATEMENTS || fallback.unnamed.has(db)) return unnamed(db).execute(values);
    return executeNamed(db, named, unnamed, values);
  };
}

// On globalThis: the proxy and the route handlers may each evaluate this module, and a database
// found behind such a pooler is so for all of them (and is reported once).
const holder = globalThis as typeof globalThis & { chirpyUnnamedStatements?: { unnamed: WeakSet<Database> } };
holder.chirpyUnnamedStatements ??= { unnamed: new WeakSet<Database>() };
const fallback = holder.chirpyUnnamedStatements;

/**
 * A named statement that the server connection has never seen (26000) or already holds under its
 * name (42P05) failed before anything ran, so the same call is sent again unnamed, and from then
 * on every statement on this database is: the first collision shows a pooler that will keep
 * causing them. One log line says which setting avoids the failed attempts.
 */
async function executeNamed(
  db: Database,
  named: (db: Database) => Prepared,
  unnamed: (db: Database) => Prepared,
  values: Record<string, unknown>,
): Promise<unknown> {
  try {
    return await named(db).execute(values);
  } catch (error) {
    const code = preparedStatementCollision(error);
    if (code === null) throw error;
    if (!fallback.unnamed.has(db)) {
      fallback.unnamed.add(db);
      console.error(
        `database: a named prepared statement failed (${code}): a pooler in transaction mode that does not keep ` +
          'prepared statements sits in front of PostgreSQL. Statements are sent unnamed from now on; set ' +
          'DATABASE_PREPARED_STATEMENTS=false to send them so from the start.',
      );
    }
    return unnamed(db).execute(values);
  }
}

/** `prepare` called once per database and kept. Per database: tests swap the database in and out. */
function perDatabase<T>(prepare: (db: Database) => T): (db: Database) => T {
  const prepared = new WeakMap<Database, T>();
  return (db) => {
    let statement = prepared.get(db);
    if (statement === undefined) {
      statement = prepare(db);
      prepared.set(db, statement);
    }
    return statement;
  };
}
