import { describe, expect, it } from 'vitest';
import { withDatabaseDown } from '@/test/fixtures';
import { jsonOf, makeRequest } from '@/test/http';
import { GET } from './route';

describe('GET /api/healthz', () => {
  it('answers 200 when the database answers', async () => {
    expect(await jsonOf(await GET(makeRequest('GET', '/api/healthz')))).toStrictEqual({
      status: 200,
      body: { status: 'ok' },
    });
  });

  it('answers 503 with a JSON error, and nothing about the cause, when the database does not', async () => {
    await withDatabaseDown(async (logged) => {
      const response = await GET(makeRequest('GET', '/api/healthz'));
      expect(await jsonOf(response)).toStrictEqual({
        status: 503,
        body: { error: 'Service unavailable: the database is not answering' },
      });
      expect(logged()).toContain('healthz');
      expect(logged()).not.toContain('nobody@127.0.0.1');
    });
  });

  it('answers 200 again once the database is back', async () => {
    await withDatabaseDown(async () => {
      expect((await GET(makeRequest('GET', '/api/healthz'))).status).toBe(503);
    });

    expect((await GET(makeRequest('GET', '/api/healthz'))).status).toBe(200);
  });
});
