import { describe, expect, it } from 'vitest';
import { signUp } from '@/test/fixtures';
import { cookieJar } from '@/test/passkeys';
import { getDb } from '../db/client';
import { webauthnChallenges } from '../db/schema';
import { CHALLENGE_TTL_SECONDS, challengeCookieName, issueChallenge, takeChallenge } from './webauthn-challenges';

const NOW = Date.UTC(2026, 0, 1, 12);

describe('passkey challenges', () => {
  it('are kept on the server as the hash of a random cookie token, and the cookie is httpOnly, strict, five minutes', async () => {
    const issued = await issueChallenge('sign_in', null, true, NOW);

    expect(issued.cookie).toMatchObject({
      name: '__Host-chirpy_passkey_sign_in',
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure: true,
      maxAge: CHALLENGE_TTL_SECONDS,
    });
    const db = await getDb();
    const [row] = await db.select().from(webauthnChallenges);
    expect(row).toMatchObject({ purpose: 'sign_in', userId: null, challenge: issued.challenge });
    expect(row?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.tokenHash).not.toBe(issued.cookie.value);
    expect(row?.expiresAt.getTime()).toBe(NOW + 5 * 60 * 1000);
  });

  it('serve one answer: the second take of the same cookie finds nothing', async () => {
    const issued = await issueChallenge('sign_in', null, false, NOW);

    expect(await takeChallenge(cookieJar(issued.cookie), 'sign_in', null, false, NOW)).toEqual({
      ok: true,
      challenge: issued.challenge,
    });
    expect(await takeChallenge(cookieJar(issued.cookie), 'sign_in', null, false, NOW)).toEqual({
      ok: false,
      reason: 'no_challenge',
    });
  });

  it('expire after five minutes, and an expired one is spent by the attempt too', async () => {
    const early = await issueChallenge('sign_in', null, false, NOW);
    const late = await issueChallenge('sign_in', null, false, NOW);
    const justBefore = NOW + CHALLENGE_TTL_SECONDS * 1000 - 1;
    const atExpiry = NOW + CHALLENGE_TTL_SECONDS * 1000;

    expect(await takeChallenge(cookieJar(early.cookie), 'sign_in', null, false, justBefore)).toMatchObject({
      ok: true,
    });
    expect(await takeChallenge(cookieJar(late.cookie), 'sign_in', null, false, atExpiry)).toMatchObject({ ok: false });
    const db = await getDb();
    expect(await db.select().from(webauthnChallenges)).toEqual([]);
  });

  it("are refused for another purpose, another account, or without this browser's cookie", async () => {
    const [owner, other] = await Promise.all([signUp(), signUp()]);
    const issued = await issueChallenge('step_up', owner.id, false, NOW);
    const jar = cookieJar(issued.cookie);

    expect(challengeCookieName('step_up', false)).toBe(issued.cookie.name);
    expect(
      await takeChallenge(cookieJar({ name: issued.cookie.name, value: 'made-up' }), 'step_up', owner.id, false, NOW),
    ).toMatchObject({ ok: false });
    expect(
      await takeChallenge(cookieJar({ ...issued.cookie, name: 'chirpy_passkey_sign_in' }), 'sign_in', null, false, NOW),
    ).toMatchObject({ ok: false });
    expect(await takeChallenge(jar, 'step_up', other.id, false, NOW)).toMatchObject({ ok: false });
    expect(await takeChallenge(jar, 'step_up', owner.id, false, NOW)).toMatchObject({ ok: true });
  });
});
