import { redirect } from 'next/navigation';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { type BrowserSession, browserSession, PASSWORD, withDatabaseDown } from '@/test/fixtures';
import { fromAddress } from '@/test/http';
import { serve } from '@/test/request-scope';
import { accessTokenClaims } from '@/test/session-helpers';
import { listRecentAuthEvents } from './audit';
import { type ActionCall, declareAction } from './declared-action';
import type { FormRefusal } from './form-states';
import type { MessageCode } from './messages';
import { coded } from './rule-codes';

type State = { code: MessageCode | null; retryAfterSeconds: number | null; typed: string; said: string | null };
const INITIAL: State = { code: null, retryAfterSeconds: null, typed: '', said: null };

/** What every test form refuses with: the code, the wait, and what was typed, kept. */
function refuse({ code, retryAfterSeconds }: FormRefusal, formData: FormData): State {
  const typed = formData.get('note');
  return { code, retryAfterSeconds, typed: typeof typed === 'string' ? typed : '', said: null };
}

/** The state a refusal with `code` leaves, with `typed` put back. */
function refusedWith(code: MessageCode, typed: string): State {
  return { code, retryAfterSeconds: null, typed, said: null };
}

const noteSchema = z.object({ note: z.string().refine((note) => note.length <= 5, coded('chirp_too_long')) });
const stepUpSchema = z.object({ current_password: z.string(), note: z.string() });

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
}

const ADDRESS = '203.0.113.140';

/** Posts `fields` to `action` from a browser at ADDRESS, with `session`'s cookies if given. */
function post(
  action: (previous: State, formData: FormData) => Promise<State>,
  fields: Record<string, string>,
  session?: BrowserSession,
) {
  const headers: Record<string, string> = { ...fromAddress(ADDRESS), 'user-agent': 'test/1' };
  if (session) headers.cookie = `chirpy_access=${session.access}`;
  return serve(() => action(INITIAL, form(fields)), headers);
}

beforeEach(() => {
  vi.stubEnv('TRUST_PROXY', 'none');
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('declareAction', () => {
  it('hands the handler the parsed input and where the request came from', async () => {
    let seen: ActionCall<'none', { note: string }, undefined, State> | null = null;
    const action = declareAction({ name: 'noteAction', auth: 'none', input: noteSchema, refuse }, async (call) => {
      seen = call;
      return { ...INITIAL, said: call.input.note };
    });

    const served = await post(action, { note: 'hi', extra: 'ignored' });

    expect(served.value).toEqual({ ...INITIAL, said: 'hi' });
    expect(seen).toMatchObject({
      input: { note: 'hi' },
      session: null,
      account: null,
      context: { ip: ADDRESS, userAgent: 'test/1' },
    });
  });

  it('refuses a broken rule with the catalogue code it names, keeping what was typed, before the handler runs', async () => {
    const handler = vi.fn(async () => INITIAL);
    const action = declareAction({ name: 'noteAction', auth: 'none', input: noteSchema, refuse }, handler);

    expect((await post(action, { note: 'far too long' })).value).toEqual(refusedWith('chirp_too_long', 'far too long'));
    expect((await post(action, {})).value).toMatchObject({ code: 'invalid_form' });
    expect(handler).not.toHaveBeenCalled();
  });

  it('a closed feature refuses first, before the session and the form are looked at', async () => {
    const handler = vi.fn(async () => INITIAL);
    const closed = () => 'reset_disabled' as const;
    const action = declareAction({ name: 'closedAction', auth: 'session', closed, input: noteSchema, refuse }, handler);

    expect((await post(action, { note: 'far too long' })).value).toMatchObject({ code: 'reset_disabled' });
    expect(handler).not.toHaveBeenCalled();
  });

  it("auth 'session': the signed-in session goes to the handler; without one the form says signed_out", async () => {
    const session = await browserSession();
    const action = declareAction({ name: 'whoAction', auth: 'session', refuse }, async (call) => ({
      ...INITIAL,
      said: `${call.session.user.email} ${call.session.sessionId}`,
    }));

    expect((await post(action, {}, session)).value).toMatchObject({
      said: `${session.email} ${accessTokenClaims(session.access).sid}`,
    });
    expect((await post(action, { note: 'kept' })).value).toEqual(refusedWith('signed_out', 'kept'));
  });

  it('lets the handler refuse in the form’s own terms', async () => {
    const action = declareAction({ name: 'refusingAction', auth: 'none', input: noteSchema, refuse }, async (call) =>
      call.refuse('chirp_not_yours'),
    );

    expect((await post(action, { note: 'mine' })).value).toEqual(refusedWith('chirp_not_yours', 'mine'));
  });

  it('a fault becomes the form’s unavailable refusal, keeping what was typed', async () => {
    const action = declareAction({ name: 'faultyAction', auth: 'none', input: noteSchema, refuse }, async () => {
      throw Object.assign(new Error('failed query'), { code: 'ECONNREFUSED' });
    });

    const served = await withDatabaseDown(() => post(action, { note: 'mine' }));

    expect(served.value).toEqual(refusedWith('unavailable', 'mine'));
  });

  it('without refuse it is a plain form action: it takes the form alone, redirects, and a fault answers nothing', async () => {
    const redirecting = declareAction({ name: 'plainAction', auth: 'none' }, async () => redirect('/done'));
    const faulty = declareAction({ name: 'plainFaultyAction', auth: 'none' }, async () => {
      throw new TypeError('a bug');
    });
    vi.spyOn(console, 'error').mockImplementation(() => {});

    expect((await serve(() => redirecting(form({})))).redirectedTo).toBe('/done');
    expect((await serve(() => faulty(form({})))).value).toBeUndefined();
  });

  it('refuses a step-up without a session when declared without auth', () => {
    expect(() =>
      declareAction(
        // @ts-expect-error a step-up vouches for a signed-in session's owner
        { name: 'badAction', auth: 'none', stepUp: 'current_password', input: stepUpSchema, refuse },
        async () => INITIAL,
      ),
    ).toThrow(/auth: 'session'/);
  });
});

describe("declareAction with stepUp: 'current_password'", () => {
  function stepUpAction(handler = vi.fn(async (_call: { account: { id: string } }) => INITIAL)) {
    const action = declareAction(
      { name: 'stepUpAction', auth: 'session', input: stepUpSchema, stepUp: 'current_password', refuse },
      handler,
    );
    return { action, handler };
  }

  it('hands the handler the account once the current password proves its owner', async () => {
    const session = await browserSession();
    const { action, handler } = stepUpAction();

    await post(action, { current_password: PASSWORD, note: 'x' }, session);

    expect(handler).toHaveBeenCalledWith(
      expect.objectContaining({ account: expect.objectContaining({ id: session.id }) }),
    );
  });

  it('refuses a wrong one with wrong_current_password, shown in the owner’s activity, before the handler runs', async () => {
    const session = await browserSession();
    const { action, handler } = stepUpAction();

    const served = await post(action, { current_password: 'not my password', note: 'kept' }, session);

    expect(served.value).toEqual(refusedWith('wrong_current_password', 'kept'));
    expect(handler).not.toHaveBeenCalled();
    const [latest] = await listRecentAuthEvents(session.id, 1);
    expect(latest).toMatchObject({ type: 'sign_in_failed', detail: 'current_password', ip: ADDRESS });
  });

  it('counts against the sign-in limits: over them it refuses with the wait, even the right password', async () => {
    vi.stubEnv('RATE_LIMIT_LOGIN_ACCOUNT_MAX', '2');
    const session = await browserSession();
    const { action, handler } = stepUpAction();
    for (let i = 0; i < 2; i++) await post(action, { current_password: `guess ${i}`, note: 'x' }, session);

    const served = await post(action, { current_password: PASSWORD, note: 'x' }, session);

    expect(served.value).toMatchObject({ code: 'rate_limited', retryAfterSeconds: expect.any(Number) });
    expect(handler).not.toHaveBeenCalled();
  });
});
