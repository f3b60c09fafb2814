import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { makeRequest } from '@/test/http';
import { errorResponse, jsonResponse } from '../http/responses';
import { declareRoute } from './declared-route';

/** A public route declared to answer 200 `{n: number}` or 404: what its handler returns is the test's choice. */
function routeAnswering(answer: () => Response) {
  return declareRoute(
    {
      method: 'POST',
      path: '/api/test',
      summary: 'A route for this test',
      tags: [],
      auth: 'none',
      body: z.object({ n: z.number() }),
      responses: {
        200: { description: 'The number', body: z.strictObject({ n: z.number() }) },
        404: { description: 'Not found', body: z.object({ error: z.string() }) },
      },
    },
    async () => answer(),
  );
}

const post = (json: unknown) => makeRequest('POST', '/api/test', { json });

describe('a declared route under test holds every answer to its declaration', () => {
  it('lets a declared status with a body of its schema through', async () => {
    expect((await routeAnswering(() => jsonResponse({ n: 1 }))(post({ n: 1 }))).status).toBe(200);
    expect((await routeAnswering(() => errorResponse(404, 'Nope'))(post({ n: 1 }))).status).toBe(404);
  });

  it('lets the answers every body-reading route can give through: 400, 415', async () => {
    const route = routeAnswering(() => jsonResponse({ n: 1 }));
    expect((await route(post({ n: 'one' }))).status).toBe(400);
    expect((await route(makeRequest('POST', '/api/test', { body: '{"n":1}' }))).status).toBe(415);
  });

  it('throws on a status the route does not declare', async () => {
    await expect(routeAnswering(() => errorResponse(418, 'Teapot'))(post({ n: 1 }))).rejects.toThrow(
      'POST /api/test answered 418, which it does not declare',
    );
  });

  it('throws on a body off the declared schema', async () => {
    await expect(routeAnswering(() => jsonResponse({ n: 1, extra: true }))(post({ n: 1 }))).rejects.toThrow(
      'POST /api/test answered 200 off its schema',
    );
  });
});
