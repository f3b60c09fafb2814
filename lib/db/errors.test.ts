import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import {
  databaseUnavailableCause,
  describeError,
  isDatabaseUnavailable,
  isQueryTimeout,
  isUniqueViolation,
  preparedStatementCollision,
} from './errors';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** How Drizzle hands a driver's error to us: wrapped, with the original on `cause`. */
function wrapped(cause: unknown): DrizzleQueryError {
  return new DrizzleQueryError('select 1', [], cause instanceof Error ? cause : undefined);
}

describe('databaseUnavailableCause', () => {
  it.each([
    ['connection refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), 'ECONNREFUSED'],
    ['a Postgres shutdown', withCode('terminating connection due to administrator command', '57P01'), '57P01'],
    ['a connection-class SQLSTATE', withCode('connection failure', '08006'), '08006'],
    ["the server's statement_timeout", withCode('canceling statement due to statement timeout', '57014'), '57014'],
  ])('recognises %s by its code, wrapped or not', (_label, error, cause) => {
    expect(databaseUnavailableCause(error)).toBe(cause);
    expect(databaseUnavailableCause(wrapped(error))).toBe(cause);
  });

  it.each([
    'Query read timeout',
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
    'timeout exceeded when trying to connect',
    'Client has encountered a connection error and is not queryable',
  ])('recognises pg\'s code-less "%s" as the database going away (503, not 500)', (message) => {
    expect(isDatabaseUnavailable(new Error(message))).toBe(true);
    expect(isDatabaseUnavailable(wrapped(new Error(message)))).toBe(true);
  });

  it('does not take bugs or bad data for an outage', () => {
    expect(databaseUnavailableCause(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBeNull();
    expect(databaseUnavailableCause(wrapped(withCode('duplicate key value', '23505')))).toBeNull();
    expect(databaseUnavailableCause(wrapped(withCode('invalid input syntax for type uuid', '22P02')))).toBeNull();
    // Only the start of the driver's own words counts, not a message that merely quotes them.
    expect(databaseUnavailableCause(new Error('chirp body: Connection terminated'))).toBeNull();
  });
});

describe('isQueryTimeout', () => {
  it("recognises the driver's own timeout, wrapped or not, and nothing else", () => {
    expect(isQueryTimeout(new Error('Query read timeout'))).toBe(true);
    expect(isQueryTimeout(wrapped(new Error('Query read timeout')))).toBe(true);
    expect(isQueryTimeout(withCode('canceling statement due to statement timeout', '57014'))).toBe(false);
    expect(isQueryTimeout(new Error('Connection terminated unexpectedly'))).toBe(false);
  });
});

describe('preparedStatementCollision', () => {
  it('names 42P05 and 26000 on the wrapped cause, and nothing else', () => {
    expect(preparedStatementCollision(wrapped(withCode('prepared statement "x" already exists', '42P05')))).toBe(
      '42P05',
    );
    expect(preparedStatementCollision(wrapped(withCode('prepared statement "x" does not exist', '26000')))).toBe(
      '26000',
    );
    expect(preparedStatementCollision(wrapped(withCode('duplicate key value', '23505')))).toBeNull();
  });
});

describe('isUniqueViolation', () => {
  it('finds 23505 on the wrapped cause', () => {
    expect(isUniqueViolation(wrapped(withCode('duplicate key value', '23505')))).toBe(true);
    expect(isUniqueViolation(new Error('duplicate key value'))).toBe(false);
  });
});

describe('describeError', () => {
  it('names class and codes, never the message (it can quote query parameters)', () => {
    const error = wrapped(withCode('value "correct horse battery" violates something', '23514'));
    const described = describeError(error);
    expect(described).toMatch(/^\w*Error \(23514\)/);
    expect(described).not.toContain('correct horse');
  });
});
