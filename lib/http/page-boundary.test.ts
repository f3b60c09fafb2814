import { DrizzleQueryError } from 'drizzle-orm/errors';
import { redirect } from 'next/navigation';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { localServerForThisFile } from '@/test/local-server';
import { unavailablePageAnswer } from './error-pages';
import { installPageOutageAnswers, withPageBoundary } from './page-boundary';

/**
 * The page boundary in a server that answers the way Next does: it renders the page, and when the
 * render throws it sets a 500 and writes its error page (app/global-error.tsx), in pieces. Whatever
 * the boundary does must happen through that, as it would inside Next.
 */

const refused = () =>
  new DrizzleQueryError(
    'select * from users where id = $1',
    ['a-secret-parameter'],
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
  );

type Render = () => Promise<string>;
const routes: Record<string, Render[]> = {
  '/outage': [async () => Promise.reject(refused())],
  // A page and its layout reading the same session: one outage, met twice.
  '/outage-twice': [async () => Promise.reject(refused()), async () => Promise.reject(refused())],
  '/bug': [async () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'id')"))],
  '/redirect': [async () => redirect('/login')],
  '/fine': [async () => '<p>rendered</p>'],
};

let thrown: unknown[];
let logged: string[];
beforeAll(() => installPageOutageAnswers());

const server = localServerForThisFile(async (request, response) => {
  try {
    const renders = routes[request.url ?? ''] ?? [];
    const parts = await Promise.all(renders.map((render, index) => withPageBoundary(`part ${index}`, render)()));
    response.setHeader('Content-Type', 'text/html; charset=utf-8');
    response.end(parts.join(''));
  } catch (error) {
    thrown.push(error);
    response.statusCode = 500;
    response.setHeader('Content-Type', 'text/html; charset=utf-8');
    response.setHeader('Cache-Control', 'private, no-cache, no-store, max-age=0, must-revalidate');
    response.setHeader('X-Frame-Options', 'DENY');
    response.flushHeaders();
    response.write('<html><body>Chirpy is briefly unavailable');
    response.end('</body></html>');
  }
});

beforeEach(() => {
  thrown = [];
  logged = [];
  vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => {
    logged.push(parts.map(String).join(' '));
  });
});

describe('a page whose reads meet a database outage', () => {
  it("answers the proxy's 503 page with Retry-After instead of the 500 error page, keeping the other headers", async () => {
    const response = await fetch(server.url('/outage'));
    const expected = unavailablePageAnswer();

    expect(response.status).toBe(503);
    expect(await response.text()).toBe(expected.body);
    expect(response.headers.get('retry-after')).toBe(expected.headers['Retry-After']);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it('logs the one outage line, without the query, its parameters or a stack', async () => {
    await fetch(server.url('/outage'));

    expect(logged).toEqual(['part 0: database unavailable (ECONNREFUSED); further failures are summed up every 10 s']);
  });

  it("ends the render with an error Next does not log (its own DynamicServerError), not the driver's", async () => {
    await fetch(server.url('/outage'));

    expect(thrown).toHaveLength(1);
    expect(thrown[0]).toMatchObject({ digest: 'DYNAMIC_SERVER_USAGE' });
    expect(String(thrown[0])).not.toContain('select');
  });

  it('met by a page and its layout at once: one answer, one log line', async () => {
    const response = await fetch(server.url('/outage-twice'));

    expect(response.status).toBe(503);
    expect(await response.text()).toBe(unavailablePageAnswer().body);
    expect(logged).toHaveLength(1);
  });

  it("leaves a server action's POST to Next (its own answer), still with one log line and no SQL", async () => {
    const response = await fetch(server.url('/outage'), { method: 'POST' });

    expect(response.status).toBe(500);
    expect(logged).toEqual(['part 0: database unavailable (ECONNREFUSED); further failures are summed up every 10 s']);
    expect(thrown[0]).toMatchObject({ digest: 'DYNAMIC_SERVER_USAGE' });
  });

  it('outside a request (no server scope), still logs the line and ends the render quietly', async () => {
    const failure = await withPageBoundary('page /x', async () => Promise.reject(refused()))().catch(
      (error: unknown) => error,
    );

    expect(failure).toMatchObject({ digest: 'DYNAMIC_SERVER_USAGE' });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^page \/x: database unavailable \(ECONNREFUSED\)/);
  });
});

describe('anything else passes through the boundary unchanged', () => {
  it('a bug: the same error reaches Next, which answers its 500 error page; nothing logged here', async () => {
    const response = await fetch(server.url('/bug'));

    expect(response.status).toBe(500);
    expect(await response.text()).toContain('Chirpy is briefly unavailable');
    expect(thrown[0]).toBeInstanceOf(TypeError);
    expect(logged).toEqual([]);
  });

  it("Next's own control flow (a redirect) is rethrown as it is", async () => {
    await fetch(server.url('/redirect'), { redirect: 'manual' });

    expect(thrown[0]).toMatchObject({ digest: expect.stringMatching(/^NEXT_REDIRECT;/) });
    expect(logged).toEqual([]);
  });

  it('a page that renders is untouched', async () => {
    const response = await fetch(server.url('/fine'));

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('<p>rendered</p>');
  });
});
