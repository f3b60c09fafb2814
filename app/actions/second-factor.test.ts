import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hasSecondFactor } from '@/lib/auth/second-factor';
import { verifyAccessToken } from '@/lib/auth/tokens';
import { INITIAL_ACCOUNT_FORM, INITIAL_AUTH_FORM, INITIAL_TOTP_FORM } from '@/lib/form-states';
import { type BrowserSession, browserSession, PASSWORD, signUp } from '@/test/fixtures';
import { fromAddress } from '@/test/http';
import { serve } from '@/test/request-scope';
import { codeAt, enrolTotp, pendingKey } from '@/test/second-factor';
import { secondFactorAction, signInAction } from './auth';
import { confirmTotpAction, regenerateRecoveryCodesAction, startTotpAction, turnOffTotpAction } from './second-factor';

/**
 * The forms of two-step sign-in as a browser posts them (with or without JavaScript, the same
 * server actions): setting it up on the account page, and the sign-in page's second step.
 */

// The account page's actions send the page back re-rendered (refresh()), which needs a render.
vi.mock('next/cache', () => ({ refresh: vi.fn() }));

const ADDRESS = '203.0.113.150';

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
}

function headers(cookie?: string): Record<string, string> {
  return { ...fromAddress(ADDRESS), 'user-agent': 'Mozilla/5.0 (forms)', ...(cookie ? { cookie } : {}) };
}

beforeEach(() => {
  vi.stubEnv('TRUST_PROXY', 'none');
  vi.spyOn(console, 'error').mockImplementation(() => {});
});

afterEach(() => {
  vi.restoreAllMocks();
});

const asOwner = (session: BrowserSession) => headers(`chirpy_access=${session.access}`);

describe('the account page', () => {
  it('sets up the app after the current password, turns it on with a first code, and shows 10 recovery codes once', async () => {
    const session = await browserSession();

    const wrongPassword = await serve(
      () => startTotpAction(INITIAL_TOTP_FORM, form({ current_password: 'not it' })),
      asOwner(session),
    );
    expect(wrongPassword.value).toMatchObject({ code: 'wrong_current_password', recoveryCodes: [] });

    const started = await serve(
      () => startTotpAction(INITIAL_TOTP_FORM, form({ current_password: PASSWORD })),
      asOwner(session),
    );
    expect(started.value).toMatchObject({ notice: 'totp_enrolment_started' });
    const key = await pendingKey(session.id);

    const confirmed = await serve(
      async () => confirmTotpAction(INITIAL_TOTP_FORM, form({ code: await codeAt(key, Date.now()) })),
      asOwner(session),
    );

    expect(confirmed.value).toMatchObject({ notice: 'totp_enabled', recoveryCodes: expect.any(Array) });
    expect(confirmed.value?.recoveryCodes).toHaveLength(10);
    expect(await hasSecondFactor(session.id)).toBe(true);
  });

  it('makes new recovery codes after the current password, and turns the app off with the password and a code', async () => {
    const session = await browserSession();
    const { secret } = await enrolTotp(session.id);

    const made = await serve(
      () => regenerateRecoveryCodesAction(INITIAL_TOTP_FORM, form({ current_password: PASSWORD })),
      asOwner(session),
    );
    expect(made.value?.recoveryCodes).toHaveLength(10);

    const noCode = await serve(
      () => turnOffTotpAction(INITIAL_TOTP_FORM, form({ current_password: PASSWORD, code: '000000' })),
      asOwner(session),
    );
    expect(noCode.value).toMatchObject({ code: 'totp_code_invalid' });
    const off = await serve(
      async () =>
        turnOffTotpAction(
          INITIAL_TOTP_FORM,
          form({ current_password: PASSWORD, code: await codeAt(secret, Date.now()) }),
        ),
      asOwner(session),
    );
    expect(off.value).toMatchObject({ notice: 'totp_disabled' });
    expect(await hasSecondFactor(session.id)).toBe(false);
  });
});

describe('signing in with the second step', () => {
  it('the password form sends the browser to /login/code with a pending-step cookie and no session', async () => {
    const user = await signUp();
    const { secret } = await enrolTotp(user.id);

    const first = await serve(
      () => signInAction(INITIAL_AUTH_FORM, form({ email: user.email, password: PASSWORD, next: '/account' })),
      headers(),
    );

    expect(first.redirectedTo).toBe('/login/code?next=%2Faccount');
    const pending = first.cookies.get('chirpy_pending');
    expect(pending).toMatchObject({ httpOnly: true, sameSite: 'lax', path: '/', maxAge: 300 });
    expect(first.cookies.get('chirpy_access')).toBeUndefined();

    const wrong = await serve(
      () => secondFactorAction(INITIAL_ACCOUNT_FORM, form({ code: '000000', next: '/account' })),
      headers(`chirpy_pending=${pending?.value}`),
    );
    expect(wrong.value).toMatchObject({ code: 'mfa_code_invalid' });

    const second = await serve(
      async () =>
        secondFactorAction(INITIAL_ACCOUNT_FORM, form({ code: await codeAt(secret, Date.now()), next: '/account' })),
      headers(`chirpy_pending=${pending?.value}`),
    );

    expect(second.redirectedTo).toBe('/account');
    expect(second.cookies.get('chirpy_pending')).toMatchObject({ value: '', maxAge: 0 });
    const access = second.cookies.get('chirpy_access')?.value ?? '';
    expect(await verifyAccessToken(access, 'browser')).toMatchObject({ ok: true, userId: user.id });
  });

  it('without the pending-step cookie there is nothing to finish', async () => {
    const refused = await serve(() => secondFactorAction(INITIAL_ACCOUNT_FORM, form({ code: '123456' })), headers());

    expect(refused.value).toMatchObject({ code: 'mfa_challenge_invalid' });
  });
});
