import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MESSAGES } from '@/lib/messages';
import { runAsDevelopmentServer } from '@/test/development-server';
import { signUp, uniqueEmail, withDatabaseDown } from '@/test/fixtures';
import { expectError, fromAddress, jsonOf, makeRequest } from '@/test/http';
import { describeJsonBodyRules } from '@/test/json-body-rules';
import { APP_URL, linkIn, mailCatcherForThisFile, resetTokenRow, resetTokenRows, tokenIn } from '@/test/password-reset';
import { serve } from '@/test/request-scope';
import { holdStatements } from '@/test/session-helpers';
import { POST } from './route';

const { catcher } = mailCatcherForThisFile();

// fromAddress plays a client on a bare server; the Vercel run of the suite sets VERCEL, which
// would otherwise make the platform's headers the source of the address.
beforeEach(() => {
  vi.stubEnv('TRUST_PROXY', 'none');
});

afterEach(() => {
  vi.restoreAllMocks();
});

function ask(email: unknown, headers: Record<string, string> = fromAddress('203.0.113.60')) {
  return serve(() => POST(makeRequest('POST', '/api/password-reset', { json: { email }, headers })));
}

/** What a client can see of an answer: status, headers that matter, body. */
async function seen(response: Response | undefined) {
  if (!response) throw new Error('the handler answered nothing');
  return {
    status: response.status,
    cacheControl: response.headers.get('cache-control'),
    contentType: response.headers.get('content-type'),
    retryAfter: response.headers.get('retry-after'),
    body: await response.text(),
  };
}

/** `promise`'s value, or undefined if it has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

describe('POST /api/password-reset', () => {
  it('answers 202 with no body, the same for an address with an account and one without', async () => {
    const user = await signUp();

    const known = await ask(user.email);
    const unknown = await ask(uniqueEmail());

    const answer = await seen(known.value);
    expect(answer).toEqual({ status: 202, cacheControl: 'no-store', contentType: null, retryAfter: null, body: '' });
    expect(await seen(unknown.value)).toEqual(answer);
  });

  it('sends the mail only after the response: none has left when the answer is ready', async () => {
    const user = await signUp();

    const served = await ask(user.email);

    expect(served.value?.status).toBe(202);
    expect(catcher().mails).toEqual([]);
    await served.runAfter();
    const mail = await catcher().mail(0);
    expect(mail.to).toEqual([user.email]);
    expect(linkIn(mail)).toMatch(new RegExp(`^${APP_URL}/reset-password\\?token=[0-9a-f]{64}$`));
  });

  it('answers a known address without waiting for its token to be stored: the write comes after the response', async () => {
    const user = await signUp();
    const hold = await holdStatements(/password_reset_tokens/);
    try {
      const served = await within(ask(user.email), 5000);

      expect(served?.value?.status).toBe(202);
      expect(hold.held()).toBe(0);
      const after = served?.runAfter();
      await vi.waitFor(() => expect(hold.held()).toBe(1));
      expect(await resetTokenRows()).toEqual([]);
      hold.release();
      await after;
    } finally {
      hold.release();
      hold.restore();
    }
    const token = tokenIn(await catcher().mail(0));
    expect(await resetTokenRow(token)).toMatchObject({ userId: user.id, usedAt: null });
  });

  it('logs a database fault after the response on one line, without the token, its hash or the address', async () => {
    const user = await signUp();
    const served = await ask(user.email);
    expect(served.value?.status).toBe(202);

    await withDatabaseDown(async (logged) => {
      await served.runAfter();
      expect(logged()).toMatch(/^password reset request: database unavailable \(/);
      expect(logged()).not.toContain(user.email);
      expect(logged()).not.toMatch(/[0-9a-f]{64}/);
      expect(logged().split('\n')).toHaveLength(1);
    });
    expect(catcher().mails).toEqual([]);
  });

  it('sends nothing for an unknown address, after the response either', async () => {
    const served = await ask(uniqueEmail());

    await served.runAfter();

    expect(catcher().mails).toEqual([]);
    expect(await resetTokenRows()).toEqual([]);
  });

  it('takes about as long for a known address as for an unknown one', async () => {
    // The structural guarantees (the same statements, the mail after the response) are tested in
    // lib/auth/password-reset.test.ts and above; this watches the whole handler's time, with a
    // band wide enough for a loaded two-core machine: medians of interleaved runs, within 3×.
    vi.stubEnv('RATE_LIMIT_RESET_IP_MAX', '100000');
    vi.stubEnv('RATE_LIMIT_RESET_EMAIL_MAX', '100000');
    const user = await signUp();
    const timed = async (email: string) => {
      const started = performance.now();
      const served = await ask(email);
      const elapsed = performance.now() - started;
      expect(served.value?.status).toBe(202);
      return elapsed;
    };
    await timed(user.email);
    await timed(uniqueEmail());

    const known: number[] = [];
    const unknown: number[] = [];
    for (let run = 0; run < 9; run++) {
      known.push(await timed(user.email));
      unknown.push(await timed(uniqueEmail()));
    }

    const ratio = median(known) / median(unknown);
    expect(ratio, `known ${median(known).toFixed(1)} ms, unknown ${median(unknown).toFixed(1)} ms`).toBeLessThan(3);
    expect(ratio).toBeGreaterThan(1 / 3);
  });

  it('still answers 202 when the mail server refuses the message, and logs the failure without the link', async () => {
    const user = await signUp();
    catcher().refuseMessages(true);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});

    const served = await ask(user.email);
    await served.runAfter();

    expect(served.value?.status).toBe(202);
    expect(errors).toHaveBeenCalledTimes(1);
    const line = errors.mock.calls[0]?.map(String).join(' ') ?? '';
    expect(line).toBe(`password reset mail for user ${user.id} not sent: EMESSAGE, SMTP 550`);
  });

  it.each([
    ['no email', {}],
    ['an email that is not a string', { email: 42 }],
    ['an email that is not an address', { email: 'not-an-address' }],
  ])('answers 400 to %s, and stores nothing', async (_label, json) => {
    const user = await signUp();
    const response = await POST(makeRequest('POST', '/api/password-reset', { json }));

    await expectError(response, 400);
    expect(await resetTokenRows()).toEqual([]);
    expect(user.email).toBeTruthy();
  });

  it('over the per-address limit answers 429 with Retry-After, for known and unknown addresses alike', async () => {
    vi.stubEnv('RATE_LIMIT_RESET_IP_MAX', '2');
    const user = await signUp();
    await ask(uniqueEmail());
    await ask(uniqueEmail());

    const known = await seen((await ask(user.email)).value);
    const unknown = await seen((await ask(uniqueEmail())).value);

    expect(known).toMatchObject({ status: 429, retryAfter: expect.stringMatching(/^[1-9]\d*$/) });
    expect(Number(known.retryAfter)).toBeLessThanOrEqual(3600);
    expect(JSON.parse(known.body)).toEqual({ error: MESSAGES.rate_limited, code: 'rate_limited' });
    expect({ ...unknown, retryAfter: null }).toEqual({ ...known, retryAfter: null });
    expect(await resetTokenRows()).toEqual([]);
    // Another address is not held back.
    expect((await ask(user.email, fromAddress('198.51.100.60'))).value?.status).toBe(202);
  });

  it('over the per-email limit answers 429 from any address, and nothing more is sent', async () => {
    vi.stubEnv('RATE_LIMIT_RESET_EMAIL_MAX', '1');
    const user = await signUp();
    await (await ask(user.email, fromAddress('203.0.113.61'))).runAfter();

    const refused = await ask(user.email, fromAddress('203.0.113.62'));
    await refused.runAfter();

    expect(refused.value?.status).toBe(429);
    expect(refused.value?.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(catcher().mails).toHaveLength(1);
  });

  it('points the link at APP_URL whatever Host or X-Forwarded-Host the request names', async () => {
    vi.stubEnv('TRUST_PROXY', '1');
    const user = await signUp();
    const forged = {
      host: 'attacker.example',
      'x-forwarded-host': 'attacker.example',
      'x-forwarded-for': '203.0.113.63',
    };

    await (await ask(user.email, forged)).runAfter();

    const link = linkIn(await catcher().mail(0));
    expect(new URL(link).origin).toBe(APP_URL);
    expect(link).not.toContain('attacker');
  });

  it('under next dev without APP_URL, points the link at the host the request was addressed to', async () => {
    runAsDevelopmentServer();
    vi.stubEnv('APP_URL', '');
    const user = await signUp();

    await (await ask(user.email, { ...fromAddress('203.0.113.64'), host: 'localhost:4321' })).runAfter();

    expect(new URL(linkIn(await catcher().mail(0))).origin).toBe('http://localhost:4321');
  });

  it.each(['staging', 'test'])(
    'outside next dev (NODE_ENV=%s) without SMTP_URL, answers 202 and no log line holds the link',
    async (nodeEnv) => {
      vi.stubEnv('NODE_ENV', nodeEnv);
      vi.stubEnv('SMTP_URL', '');
      const user = await signUp();
      const logged = (['log', 'info', 'warn', 'error'] as const).map((method) =>
        vi.spyOn(console, method).mockImplementation(() => {}),
      );

      const served = await ask(user.email);
      await served.runAfter();

      expect(served.value?.status).toBe(202);
      const lines = logged.flatMap((spy) => spy.mock.calls.map((call) => call.map(String).join(' ')));
      expect(lines).toStrictEqual([`password reset mail for user ${user.id} not sent: Error`]);
      expect(lines.join('\n')).not.toContain('reset-password');
    },
  );

  it('answers 404 when resets are turned off, and sends nothing', async () => {
    vi.stubEnv('PASSWORD_RESET_ENABLED', 'false');
    const user = await signUp();

    const served = await ask(user.email);
    await served.runAfter();

    expect(served.value && (await jsonOf(served.value))).toEqual({
      status: 404,
      body: { error: MESSAGES.reset_disabled, code: 'reset_disabled' },
    });
    expect(catcher().mails).toEqual([]);
  });
});

describeJsonBodyRules({
  route: 'POST /api/password-reset',
  // As Next serves it: the answer, then the mail sent after it.
  handler: async (request) => {
    const served = await serve(() => POST(request));
    await served.runAfter();
    if (!served.value) throw new Error('the handler answered nothing');
    return served.value;
  },
  arrange: async () => ({ json: { email: (await signUp()).email }, headers: fromAddress('203.0.113.60') }),
  acceptedStatus: 202,
  expectUnchanged: async () => {
    expect(await resetTokenRows()).toEqual([]);
    expect(catcher().mails).toEqual([]);
  },
  expectAccepted: async () => expect(await resetTokenRows()).toHaveLength(1),
});
