import { randomUUID } from 'node:crypto';
import { type APIResponse, expect, test } from '@playwright/test';
import { PASSWORD, uniqueEmail } from './helpers';
import { E2E_BASE_URL } from './settings';

/**
 * The JSON API contract against the production build, over HTTP only (no browser). Every answer
 * goes through `checked`: no 5xx anywhere, and every error is `{"error": "..."}` with nothing of
 * the server's insides (stack traces, file paths) in it.
 */

const STACK_TRACE = /\n\s+at\s|node_modules|\.(?:ts|tsx|js|mjs):\d+|webpack|turbopack/i;

async function checked(response: APIResponse, expectedStatus: number): Promise<unknown> {
  const text = await response.text();
  expect(response.status(), `${response.url()} answered ${text}`).toBeLessThan(500);
  expect(response.status(), `${response.url()} answered ${text}`).toBe(expectedStatus);
  if (text === '') return null;
  expect(response.headers()['content-type']).toContain('application/json');
  const body: unknown = JSON.parse(text);
  if (expectedStatus >= 400) {
    // A message from the catalogue also carries its key as `code`.
    const coded = typeof body === 'object' && body !== null && 'code' in body;
    expect(body).toEqual(
      coded ? { error: expect.any(String), code: expect.any(String) } : { error: expect.any(String) },
    );
    expect(text).not.toMatch(STACK_TRACE);
  }
  return body;
}

function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

function stringField(body: unknown, field: string): string {
  expect(body).toMatchObject({ [field]: expect.any(String) });
  const value: unknown = typeof body === 'object' && body !== null ? Reflect.get(body, field) : undefined;
  if (typeof value !== 'string') throw new Error(`${field} is not a string`);
  return value;
}

test('GET /favicon.ico is an icon, so no page logs a 404 for it', async ({ request }) => {
  const response = await request.get('/favicon.ico');
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toContain('image/x-icon');
  expect((await response.body()).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]));
});

test('a forged X-Forwarded-Host does not pass the CSRF check of a bare next start', async ({ request }) => {
  const email = uniqueEmail('xfh');
  await request.post('/api/users', { data: { email, password: PASSWORD } });
  const login = await request.post('/api/login', {
    data: { email, password: PASSWORD },
    headers: { 'X-Chirpy-Session': 'cookie', Origin: E2E_BASE_URL },
  });
  expect(login.status()).toBe(200);
  const forged = { Origin: 'http://evil.example', 'X-Forwarded-Host': 'evil.example' };
  await checked(await request.post('/api/chirps', { data: { body: 'forged' }, headers: forged }), 403);
  await checked(await request.post('/api/revoke', { headers: forged }), 403);
  await checked(await request.get('/api/me'), 200);
});

test('GET /api/healthz is 200', async ({ request }) => {
  expect(await checked(await request.get('/api/healthz'), 200)).toEqual({ status: 'ok' });
});

test('users, login, chirps, refresh and revoke follow the contract', async ({ request }) => {
  const email = uniqueEmail('api');

  const user = await checked(await request.post('/api/users', { data: { email, password: PASSWORD } }), 201);
  expect(user).toMatchObject({ email, is_chirpy_red: false, id: expect.any(String) });
  expect(user).not.toHaveProperty('hashed_password');
  const userId = stringField(user, 'id');

  const login = await checked(await request.post('/api/login', { data: { email, password: PASSWORD } }), 200);
  expect(login).toMatchObject({ id: userId, email });
  const token = stringField(login, 'token');
  const refreshToken = stringField(login, 'refresh_token');

  const chirp = await checked(
    await request.post('/api/chirps', {
      headers: bearer(token),
      data: { body: 'I had a kerfuffle with a Sharbert today' },
    }),
    201,
  );
  expect(chirp).toMatchObject({ body: 'I had a **** with a **** today', user_id: userId });
  const chirpId = stringField(chirp, 'id');

  const all = await checked(await request.get('/api/chirps'), 200);
  expect(Array.isArray(all)).toBe(true);
  expect(all).toContainEqual(expect.objectContaining({ id: chirpId }));
  await checked(await request.get(`/api/chirps/${chirpId}`), 200);

  const refreshed = await checked(await request.post('/api/refresh', { headers: bearer(refreshToken) }), 200);
  expect(Object.keys(refreshed ?? {})).toEqual(['token']);
  const newToken = stringField(refreshed, 'token');
  await checked(await request.post('/api/chirps', { headers: bearer(newToken), data: { body: 'still here' } }), 201);

  await checked(await request.post('/api/revoke', { headers: bearer(refreshToken) }), 204);
  await checked(await request.post('/api/refresh', { headers: bearer(refreshToken) }), 401);
});

test('malformed JSON is a 400 with a JSON error', async ({ request }) => {
  const response = await request.post('/api/users', {
    headers: { 'Content-Type': 'application/json' },
    // A Buffer goes out byte for byte; a string would be JSON-encoded into a valid JSON string.
    data: Buffer.from('{"email": "broken@example.com", "password": '),
  });
  expect(await checked(response, 400)).toEqual({ error: 'Request body must be valid JSON' });
});

test('an unknown chirp id is a 404, a malformed one a 400', async ({ request }) => {
  expect(await checked(await request.get(`/api/chirps/${randomUUID()}`), 404)).toEqual({ error: 'Chirp not found' });
  await checked(await request.get('/api/chirps/not-a-uuid'), 400);
});

test('failures are 4xx JSON errors without internals', async ({ request }) => {
  const email = uniqueEmail('api-errors');
  await checked(await request.post('/api/users', { data: { email, password: PASSWORD } }), 201);
  await checked(await request.post('/api/users', { data: { email, password: PASSWORD } }), 409);
  await checked(await request.post('/api/users', { data: { email: 'not-an-email', password: PASSWORD } }), 400);
  await checked(await request.post('/api/login', { data: { email, password: 'wrong password' } }), 401);
  await checked(await request.post('/api/chirps', { data: { body: 'no token' } }), 401);
  await checked(await request.post('/api/chirps', { headers: bearer('not-a-jwt'), data: { body: 'x' } }), 401);
  await checked(await request.post('/api/refresh', { headers: bearer('0'.repeat(64)) }), 401);
  await checked(await request.post('/api/polka/webhooks', { data: { event: 'user.upgraded' } }), 401);
  await checked(await request.get('/api/chirps?sort=sideways'), 400);
});
