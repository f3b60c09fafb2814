import { expect } from 'vitest';
import { POST as login } from '../app/api/login/route';
import { POST as createUser } from '../app/api/users/route';
import { jsonOf, makeRequest, setCookies } from './http';

/** Users and sessions made the way clients make them: through the route handlers. */

let counter = 0;

export function uniqueEmail(): string {
  counter += 1;
  return `user${counter}-${Date.now()}@example.com`;
}

export const PASSWORD = 'correct horse battery';

export type TestUser = { id: string; email: string; password: string };

export async function signUp(email = uniqueEmail(), password = PASSWORD): Promise<TestUser> {
  const { status, body } = await jsonOf(
    await createUser(makeRequest('POST', '/api/users', { json: { email, password } })),
  );
  expect(status).toBe(201);
  const id = (body as { id: string }).id;
  return { id, email, password };
}

export type ApiSession = TestUser & { token: string; refreshToken: string };

/** A user signed in through the JSON contract: a bearer access token and refresh token. */
export async function apiSession(): Promise<ApiSession> {
  const user = await signUp();
  const { status, body } = await jsonOf(
    await login(makeRequest('POST', '/api/login', { json: { email: user.email, password: user.password } })),
  );
  expect(status).toBe(200);
  const { token, refresh_token } = body as { token: string; refresh_token: string };
  return { ...user, token, refreshToken: refresh_token };
}

export type BrowserSession = TestUser & { access: string; refresh: string };

/** A user signed in through the sign-in form: the two session cookies. */
export async function browserSession(user?: TestUser): Promise<BrowserSession> {
  const account = user ?? (await signUp());
  const response = await login(
    makeRequest('POST', '/api/login', {
      form: { email: account.email, password: account.password },
      headers: { origin: 'http://localhost:3000' },
    }),
  );
  expect(response.status).toBe(303);
  const cookies = setCookies(response);
  const access = cookies.get('chirpy_access')?.value;
  const refresh = cookies.get('chirpy_refresh')?.value;
  if (!access || !refresh) throw new Error('sign-in form set no session cookies');
  return { ...account, access, refresh };
}
