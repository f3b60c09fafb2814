import { describe, expect, it } from 'vitest';
import { GET as getChirps } from '@/app/api/chirps/route';
import { POST as login } from '@/app/api/login/route';
import { GET as me } from '@/app/api/me/route';
import { POST as refresh } from '@/app/api/refresh/route';
import { apiSession, browserSession, signUp } from '@/test/fixtures';
import { makeRequest } from '@/test/http';

/**
 * Token responses carry secrets in the body and user answers carry one person's data: neither may
 * be kept by a browser's or a shared cache (OAuth requires no-store on token responses).
 */
describe('Cache-Control on API answers', () => {
  it('login (JSON) and bearer refresh, which hand out tokens, are no-store', async () => {
    const user = await signUp();
    const loggedIn = await login(
      makeRequest('POST', '/api/login', { json: { email: user.email, password: user.password } }),
    );
    expect(loggedIn.status).toBe(200);
    expect(loggedIn.headers.get('cache-control')).toBe('no-store');

    const session = await apiSession();
    const refreshed = await refresh(makeRequest('POST', '/api/refresh', { bearer: session.refreshToken }));
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get('cache-control')).toBe('no-store');
  });

  it('user-specific answers and errors are no-store too', async () => {
    const session = await apiSession();
    const mine = await me(makeRequest('GET', '/api/me', { bearer: session.token }));
    expect(mine.status).toBe(200);
    expect(mine.headers.get('cache-control')).toBe('no-store');

    const browser = await browserSession();
    const viaCookie = await me(makeRequest('GET', '/api/me', { cookies: { chirpy_access: browser.access } }));
    expect(viaCookie.headers.get('cache-control')).toBe('no-store');

    const refused = await login(makeRequest('POST', '/api/login', { json: { email: 'x@example.com', password: 'p' } }));
    expect(refused.status).toBe(401);
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });

  it('every other API answer follows the same rule', async () => {
    const list = await getChirps(makeRequest('GET', '/api/chirps'));
    expect(list.status).toBe(200);
    expect(list.headers.get('cache-control')).toBe('no-store');
  });
});
