import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { signInAction } from '@/app/actions/auth';
import { getDb } from '@/lib/db/client';
import { authEvents } from '@/lib/db/schema';
import { INITIAL_AUTH_FORM } from '@/lib/form-states';
import { MESSAGES } from '@/lib/messages';
import { PASSWORD, refreshTokenRows, signUp } from '@/test/fixtures';
import { fromAddress, jsonOf, makeRequest } from '@/test/http';
import { mailCatcherForThisFile, mailedToken } from '@/test/password-reset';
import { serve } from '@/test/request-scope';
import { POST as confirmReset } from '../password-reset/confirm/route';
import { POST } from './route';

/**
 * The ceiling on failed sign-ins at one account from anywhere: a botnet spreading its guesses
 * over many addresses stays under every per-address limit, so this one counts the account alone.
 */

const { catcher } = mailCatcherForThisFile();

const WINDOW_SECONDS = 3600;

beforeEach(() => {
  vi.stubEnv('TRUST_PROXY', 'none');
  vi.stubEnv('RATE_LIMIT_LOGIN_FAILED_MAX', '5');
  vi.stubEnv('RATE_LIMIT_LOGIN_FAILED_WINDOW_SECONDS', String(WINDOW_SECONDS));
});

function login(email: string, password: string, address: string) {
  return POST(makeRequest('POST', '/api/login', { json: { email, password }, headers: fromAddress(address) }));
}

/** `count` wrong passwords, each from an address of its own. */
async function guessFromEverywhere(email: string, count: number, first = 1): Promise<number[]> {
  const statuses = [];
  for (let i = first; i < first + count; i++) statuses.push((await login(email, `guess ${i}`, `10.0.${i}.1`)).status);
  return statuses;
}

async function ceilingEvents() {
  const db = await getDb();
  return db.select().from(authEvents).where(eq(authEvents.detail, 'login_account_failures'));
}

function signInForm(email: string, password: string, address: string) {
  const form = new FormData();
  form.set('email', email);
  form.set('password', password);
  return serve(() => signInAction(INITIAL_AUTH_FORM, form), fromAddress(address));
}

describe('the ceiling on failed sign-ins at one account, from any address', () => {
  it('refuses the next attempt with 429 and Retry-After, even with the right password, and starts no session', async () => {
    const owner = await signUp();
    expect(await guessFromEverywhere(owner.email, 5)).toEqual([401, 401, 401, 401, 401]);

    const response = await login(owner.email, PASSWORD, '198.51.100.77');

    expect(await jsonOf(response)).toEqual({
      status: 429,
      body: { error: MESSAGES.rate_limited, code: 'rate_limited' },
    });
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(WINDOW_SECONDS - 60);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(await refreshTokenRows(owner.id)).toEqual([]);
  });

  it('holds the sign-in form to it too: the form says to wait, and no cookies are set', async () => {
    const owner = await signUp();
    await guessFromEverywhere(owner.email, 5);

    const served = await signInForm(owner.email, PASSWORD, '198.51.100.78');

    expect(served.value).toEqual({ code: 'rate_limited', email: owner.email, retryAfterSeconds: expect.any(Number) });
    expect(served.redirectedTo).toBeNull();
    expect(served.cookies.getAll()).toEqual([]);
  });

  it('records the refusal in the audit log once per window, against the account, however many follow', async () => {
    const owner = await signUp();
    await guessFromEverywhere(owner.email, 5);

    for (let i = 0; i < 4; i++) expect((await login(owner.email, 'more guessing', `10.1.${i}.1`)).status).toBe(429);

    expect(await ceilingEvents()).toEqual([
      expect.objectContaining({ type: 'rate_limited', userId: owner.id, detail: 'login_account_failures' }),
    ]);
  });

  it('counts failures only: the owner’s successful sign-ins in between spend none of it', async () => {
    const owner = await signUp();
    expect(await guessFromEverywhere(owner.email, 4)).toEqual([401, 401, 401, 401]);
    for (let i = 0; i < 6; i++) expect((await login(owner.email, PASSWORD, '198.51.100.79')).status).toBe(200);

    expect(await guessFromEverywhere(owner.email, 1, 5)).toEqual([401]);
    expect((await login(owner.email, PASSWORD, '198.51.100.79')).status).toBe(429);
  });

  it('holds for an address without an account alike, so the ceiling tells nobody which accounts exist', async () => {
    expect(await guessFromEverywhere('nobody@example.com', 5)).toEqual([401, 401, 401, 401, 401]);

    expect((await login('nobody@example.com', 'guess', '198.51.100.80')).status).toBe(429);
  });

  it('is lifted by a completed password reset, so a flood of guesses cannot lock the owner out', async () => {
    const owner = await signUp();
    await guessFromEverywhere(owner.email, 6);
    expect((await login(owner.email, PASSWORD, '198.51.100.81')).status).toBe(429);
    const token = await mailedToken(catcher(), owner.email, { ip: '198.51.100.81', userAgent: null });

    const reset = await confirmReset(
      makeRequest('POST', '/api/password-reset/confirm', {
        json: { token, password: 'a brand new passphrase' },
        headers: fromAddress('198.51.100.81'),
      }),
    );

    expect(reset.status).toBe(204);
    expect((await login(owner.email, 'a brand new passphrase', '198.51.100.81')).status).toBe(200);
  });
});
