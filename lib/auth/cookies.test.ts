import { NextResponse } from 'next/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type SetCookie, setCookies } from '@/test/http';
import { DAY_SECONDS, expectMaxAge, isCleared } from '@/test/session-helpers';
import {
  readSessionCookies,
  type SessionCookie,
  sessionCookies,
  writeExpiredSessionCookies,
  writeSessionCookies,
} from './cookies';
import { issueSessionAccessToken } from './tokens';

afterEach(() => {
  vi.unstubAllEnvs();
});

const SESSION_ID = '6f1c1d9e-6b8a-4c2e-9d7e-2f4b8c9a1e33';
const USER_ID = '0b7e3c52-8d1a-4f6e-a2c9-5e4d3b2a1f00';

/** Tokens as a sign-in issues them: access for SESSION_ACCESS_TTL_SECONDS, refresh for the idle bound. */
async function issuedTokens() {
  const access = await issueSessionAccessToken(USER_ID, SESSION_ID);
  const idleDays = Number(process.env.SESSION_IDLE_TIMEOUT_DAYS ?? '7');
  const refresh = { value: 'r'.repeat(64), expiresAt: new Date(Date.now() + idleDays * DAY_SECONDS * 1000) };
  return { access, refresh };
}

/** The Set-Cookie headers a response carries after the cookies were written into its store. */
function written(write: (store: NextResponse['cookies']) => void): Map<string, SetCookie> {
  const response = NextResponse.next();
  write(response.cookies);
  return setCookies(response);
}

function cookie(cookies: Map<string, SetCookie>, name: string): SetCookie {
  const found = cookies.get(name);
  if (!found) throw new Error(`no Set-Cookie for ${name}`);
  return found;
}

function expectSessionAttributes(set: SetCookie, secure: boolean) {
  expect(set.attributes.get('httponly')).toBe(true);
  expect(String(set.attributes.get('samesite')).toLowerCase()).toBe('lax');
  expect(set.attributes.get('path')).toBe('/');
  expect(set.attributes.has('domain')).toBe(false);
  expect(set.attributes.has('secure')).toBe(secure);
}

describe('writeSessionCookies (the store of a response, or of a server action)', () => {
  it('over http: the two plain-named cookies, unreadable by scripts, Lax, site-wide, living as long as their tokens', async () => {
    const tokens = await issuedTokens();

    const cookies = written((store) => writeSessionCookies(store, false, tokens));

    expect([...cookies.keys()].sort()).toEqual(['chirpy_access', 'chirpy_refresh']);
    expect(cookie(cookies, 'chirpy_access').value).toBe(tokens.access.value);
    expect(cookie(cookies, 'chirpy_refresh').value).toBe(tokens.refresh.value);
    expectSessionAttributes(cookie(cookies, 'chirpy_access'), false);
    expectSessionAttributes(cookie(cookies, 'chirpy_refresh'), false);
    expectMaxAge(cookie(cookies, 'chirpy_access'), 300);
    expectMaxAge(cookie(cookies, 'chirpy_refresh'), 7 * DAY_SECONDS);
  });

  it('takes the access lifetime from SESSION_ACCESS_TTL_SECONDS', async () => {
    vi.stubEnv('SESSION_ACCESS_TTL_SECONDS', '60');
    const tokens = await issuedTokens();

    const cookies = written((store) => writeSessionCookies(store, false, tokens));

    expectMaxAge(cookie(cookies, 'chirpy_access'), 60);
  });

  it('over https: __Host- names and Secure, which the browser accepts only for this host, path /', async () => {
    const tokens = await issuedTokens();

    const cookies = written((store) => writeSessionCookies(store, true, tokens));

    expect([...cookies.keys()].sort()).toEqual(['__Host-chirpy_access', '__Host-chirpy_refresh']);
    expectSessionAttributes(cookie(cookies, '__Host-chirpy_access'), true);
    expectSessionAttributes(cookie(cookies, '__Host-chirpy_refresh'), true);
  });

  it('leaves the refresh cookie alone when there is no new refresh token (a renewal inside the grace window)', async () => {
    const { access } = await issuedTokens();

    const cookies = written((store) => writeSessionCookies(store, false, { access, refresh: null }));

    expect([...cookies.keys()]).toEqual(['chirpy_access']);
  });

  it('hands a store exactly the factory’s cookies, whatever kind of store it is', async () => {
    const tokens = await issuedTokens();
    const received: SessionCookie[] = [];

    writeSessionCookies({ set: (given: SessionCookie) => received.push(given) }, false, tokens);

    expect(received).toEqual(sessionCookies(false, tokens));
  });
});

describe('writeExpiredSessionCookies', () => {
  it.each([
    [false, ''],
    [true, '__Host-'],
  ])('secure=%s: deletes both cookies with the attributes they were set with', (secure, prefix) => {
    const cookies = written((store) => writeExpiredSessionCookies(store, secure));

    for (const name of [`${prefix}chirpy_access`, `${prefix}chirpy_refresh`]) {
      expect(isCleared(cookies.get(name))).toBe(true);
      expectSessionAttributes(cookie(cookies, name), secure);
    }
  });
});

describe('readSessionCookies', () => {
  const store = (values: Record<string, string>) => ({
    get: (name: string) => (name in values ? { value: values[name] ?? '' } : undefined),
  });

  it('reads the plain names over http and the __Host- names over https, never the other pair', () => {
    const both = store({
      chirpy_access: 'a',
      chirpy_refresh: 'r',
      '__Host-chirpy_access': 'A',
      '__Host-chirpy_refresh': 'R',
    });
    expect(readSessionCookies(both, false)).toEqual({ access: 'a', refresh: 'r' });
    expect(readSessionCookies(both, true)).toEqual({ access: 'A', refresh: 'R' });
  });

  it('counts a missing or empty cookie as absent', () => {
    expect(readSessionCookies(store({ chirpy_access: '' }), false)).toEqual({
      access: undefined,
      refresh: undefined,
    });
  });
});
