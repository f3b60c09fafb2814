import { notFound, redirect } from 'next/navigation';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withActionBoundary } from './boundary';

afterEach(() => {
  vi.restoreAllMocks();
});

type State = { code: string | null; draft: string };

/** An action that keeps the submitted draft in its failure state, as the composer's does. */
function action(work: (draft: string) => Promise<State>) {
  return withActionBoundary(
    'testAction',
    (code, _previous: State, draft: string): State => ({ code, draft }),
    async (_previous: State, draft: string) => work(draft),
  );
}

const initial: State = { code: null, draft: '' };

describe('withActionBoundary', () => {
  it('hands back what the action returns', async () => {
    const posted = action(async () => ({ code: null, draft: '' }));
    expect(await posted(initial, 'hello')).toEqual({ code: null, draft: '' });
  });

  it('a database that does not answer becomes the unavailable state, keeping the draft, logged without the message', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const failing = action(async () => {
      throw Object.assign(new Error('failed query: params: hunter2'), { code: 'ECONNREFUSED' });
    });

    expect(await failing(initial, 'my draft')).toEqual({ code: 'unavailable', draft: 'my draft' });
    const logged = log.mock.calls.map((call) => call.map(String).join(' ')).join('\n');
    expect(logged).toContain('testAction: database unavailable');
    expect(logged).toContain('ECONNREFUSED');
    expect(logged).not.toContain('hunter2');
  });

  it('a bug becomes the internal_error state', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const buggy = action(async () => {
      throw new TypeError('undefined is not a function');
    });

    expect(await buggy(initial, 'x')).toEqual({ code: 'internal_error', draft: 'x' });
  });

  it('lets redirect() and notFound() through: they are how an action navigates, not faults', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const redirecting = action(async () => redirect('/somewhere'));
    const missing = action(async () => notFound());

    await expect(redirecting(initial, 'x')).rejects.toMatchObject({ digest: expect.stringMatching(/^NEXT_REDIRECT;/) });
    await expect(missing(initial, 'x')).rejects.toMatchObject({ digest: expect.stringMatching(/^NEXT_HTTP_ERROR/) });
    expect(log).not.toHaveBeenCalled();
  });
});
