import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { signInAction } from '@/app/actions/auth';
import { passwordHashLoad } from '@/lib/auth/hasher';
import { getDb } from '@/lib/db/client';
import { users } from '@/lib/db/schema';
import { INITIAL_AUTH_FORM } from '@/lib/form-states';
import { MESSAGES } from '@/lib/messages';
import { PASSWORD, refreshTokenRows, signUp, uniqueEmail } from '@/test/fixtures';
import { type HeldHashes, holdHashes } from '@/test/held-hashes';
import { jsonOf, makeRequest } from '@/test/http';
import { serve } from '@/test/request-scope';
import { POST as createUser } from '../users/route';
import { POST } from './route';

/**
 * Logins wait in a bounded line for bcrypt (lib/auth/hasher.ts). A full line answers 503 at once
 * rather than growing without end, and a client that hung up leaves it before its hash is run.
 */

let held: HeldHashes | undefined;

afterEach(() => {
  held?.release();
  held = undefined;
  vi.restoreAllMocks();
});

function login(email: string, password: string, signal?: AbortSignal) {
  return POST(makeRequest('POST', '/api/login', { json: { email, password }, ...(signal ? { signal } : {}) }));
}

async function userCount(email: string): Promise<number> {
  const db = await getDb();
  return (await db.select().from(users).where(eq(users.email, email))).length;
}

async function queued(expected: { running: number; waiting: number }) {
  await vi.waitFor(() => expect(passwordHashLoad()).toEqual(expected));
}

/** One login hashing and `waiting` more in line, with the line's length capped at `waiting`. */
async function fillQueue(email: string, waiting: number): Promise<Promise<Response>[]> {
  vi.stubEnv('PASSWORD_HASH_CONCURRENCY', '1');
  vi.stubEnv('PASSWORD_HASH_QUEUE_MAX', String(waiting));
  held = holdHashes();
  const inLine = Array.from({ length: waiting + 1 }, () => login(email, PASSWORD));
  await queued({ running: 1, waiting });
  return inLine;
}

describe('POST /api/login with the password-hash queue full', () => {
  it('answers 503 with Retry-After and {"error"} at once, and starts no session; those in line are served', async () => {
    const owner = await signUp();
    const inLine = await fillQueue(owner.email, 2);

    const response = await login(owner.email, PASSWORD);

    expect(await jsonOf(response)).toEqual({ status: 503, body: { error: MESSAGES.busy, code: 'busy' } });
    expect(response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(await refreshTokenRows(owner.id)).toEqual([]);
    held?.release();
    expect((await Promise.all(inLine)).map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(held?.calls()).toBe(3);
  });

  it('sign-up meets the same 503 and creates no account', async () => {
    const owner = await signUp();
    const inLine = await fillQueue(owner.email, 1);
    const email = uniqueEmail();

    const response = await createUser(makeRequest('POST', '/api/users', { json: { email, password: PASSWORD } }));

    expect(await jsonOf(response)).toEqual({ status: 503, body: { error: MESSAGES.busy, code: 'busy' } });
    expect(response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    held?.release();
    await Promise.all(inLine);
    expect(await userCount(email)).toBe(0);
  });

  it('the sign-in form says the server is busy, and signs nobody in', async () => {
    const owner = await signUp();
    const inLine = await fillQueue(owner.email, 1);
    const form = new FormData();
    form.set('email', owner.email);
    form.set('password', PASSWORD);

    const served = await serve(() => signInAction(INITIAL_AUTH_FORM, form));

    expect(served.value).toEqual({ code: 'busy', email: owner.email, retryAfterSeconds: null });
    expect(served.cookies.getAll()).toEqual([]);
    held?.release();
    await Promise.all(inLine);
  });
});

describe('POST /api/login from a client that hung up', () => {
  it('leaves the queue before its hash is run', async () => {
    const owner = await signUp();
    vi.stubEnv('PASSWORD_HASH_CONCURRENCY', '1');
    held = holdHashes();
    const first = login(owner.email, PASSWORD);
    await queued({ running: 1, waiting: 0 });
    const client = new AbortController();
    const abandoned = login(owner.email, PASSWORD, client.signal);
    await queued({ running: 1, waiting: 1 });

    client.abort();

    expect((await abandoned).status).toBe(400);
    expect(passwordHashLoad()).toEqual({ running: 1, waiting: 0 });
    held.release();
    expect((await first).status).toBe(200);
    expect(held.calls()).toBe(1);
    expect(await refreshTokenRows(owner.id)).toHaveLength(1);
  });
});
