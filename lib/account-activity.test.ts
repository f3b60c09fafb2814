import { describe, expect, it } from 'vitest';
import { signUp } from '@/test/fixtures';
import { type AuthEventFacts, toAccountActivity } from './account-activity';
import { listRecentAuthEvents, recordAuthEvent } from './audit';
import type { AuthEvent } from './db/schema';

const CHROME_ON_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

function event(type: AuthEvent['type'], detail: string | null = null): AuthEventFacts {
  return {
    id: 7,
    type,
    detail,
    createdAt: new Date('2026-01-05T14:03:00Z'),
    userAgent: CHROME_ON_MAC,
    ip: '203.0.113.9',
  };
}

describe('toAccountActivity: an audit event as its owner reads it', () => {
  it.each([
    ['signed_up', null, 'Account created'],
    ['signed_in', null, 'Signed in'],
    ['sign_in_failed', null, 'Sign-in failed: wrong password'],
    ['sign_in_failed', 'current_password', 'Wrong current password when changing the email or password'],
    ['session_ended', 'signed_out', 'Session ended: signed out'],
    ['session_ended', 'other_session', 'Session ended by another session'],
    ['session_ended', 'credentials_changed', 'Session ended after a credential change'],
    ['session_ended', 'password_reset', 'Session ended by a password reset'],
    ['reuse_detected', null, 'Reuse detected: session ended'],
    ['password_changed', null, 'Password changed'],
    ['password_reset', null, 'Password reset with an emailed link'],
    ['email_changed', null, 'Email changed'],
    ['rate_limited', 'login_account', 'Rate limited: too many sign-in attempts'],
    ['rate_limited', 'login_ip', 'Rate limited: too many sign-in attempts'],
    [
      'rate_limited',
      'login_account_failures',
      'Sign-ins refused: too many wrong passwords from anywhere (a password reset lifts it)',
    ],
    ['rate_limited', 'cookie_rotation', 'Rate limited: too many session renewals'],
    ['rate_limited', 'bearer_refresh', 'Rate limited: too many session renewals'],
  ] as const)('%s (%s) → %s', (type, detail, text) => {
    expect(toAccountActivity(event(type, detail)).text).toBe(text);
  });

  it('a detail it does not know (or one that looks like an object key) reads as the type alone', () => {
    expect(toAccountActivity(event('session_ended', 'by_a_newer_release')).text).toBe('Session ended');
    expect(toAccountActivity(event('session_ended', 'constructor')).text).toBe('Session ended');
    expect(toAccountActivity(event('rate_limited', '__proto__')).text).toBe('Rate limited');
    expect(toAccountActivity(event('signed_in', 'signed_out')).text).toBe('Signed in');
  });

  it('names the device and keeps the time and address, nothing else', () => {
    expect(toAccountActivity(event('signed_in'))).toEqual({
      id: 7,
      text: 'Signed in',
      at: new Date('2026-01-05T14:03:00Z'),
      device: 'Chrome on macOS',
      ip: '203.0.113.9',
    });
    expect(toAccountActivity({ ...event('signed_in'), userAgent: null, ip: null })).toMatchObject({
      device: 'Unknown device',
      ip: null,
    });
  });

  it('leaves the session id and the raw user agent of a stored event behind', async () => {
    const user = await signUp();
    const sessionId = '3f1f6a62-2f0e-4a57-9b1e-0c8f5f6d7a10';
    await recordAuthEvent({
      type: 'session_ended',
      userId: user.id,
      sessionId,
      detail: 'other_session',
      context: { ip: '198.51.100.8', userAgent: CHROME_ON_MAC },
    });

    const [latest] = (await listRecentAuthEvents(user.id, 20)).map(toAccountActivity);

    expect(latest).toMatchObject({ text: 'Session ended by another session', device: 'Chrome on macOS' });
    expect(JSON.stringify(latest)).not.toContain(sessionId);
    expect(JSON.stringify(latest)).not.toContain('AppleWebKit');
  });
});
