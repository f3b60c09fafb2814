import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { z } from 'zod';
import { jsonBody, randomAddress, runDir, send, setCookieValue } from './client';
import type { ServerInfo } from './global-setup';
import { recordSecrets } from './secrets';

/** Accounts and sessions made the way clients make them: over HTTP, against a given instance. */

export const ACCESS_COOKIE = 'chirpy_access';
export const REFRESH_COOKIE = 'chirpy_refresh';

export type Account = { id: string; email: string; password: string };

let counter = 0;

export function newCredentials(label = 'user'): { email: string; password: string } {
  counter += 1;
  const password = `Pw-${randomBytes(12).toString('hex')}`;
  recordSecrets(runDir, password);
  return { email: `${label}${counter}-${randomBytes(4).toString('hex')}@reliability.example`, password };
}

const userSchema = z.object({ id: z.string(), email: z.string() });

export async function signUp(server: ServerInfo, label?: string): Promise<Account> {
  const credentials = newCredentials(label);
  const reply = await send(server, { path: '/api/users', json: credentials, ip: randomAddress() });
  expect(reply.status, reply.body).toBe(201);
  return { ...credentials, id: userSchema.parse(jsonBody(reply)).id };
}

export type ApiSession = Account & { token: string; refreshToken: string };

const loginSchema = z.object({ token: z.string(), refresh_token: z.string() });

/** A bearer session (the JSON contract's login). Each from an address of its own. */
export async function apiLogin(server: ServerInfo, account: Account, ip = randomAddress()): Promise<ApiSession> {
  const reply = await send(server, {
    path: '/api/login',
    json: { email: account.email, password: account.password },
    ip,
  });
  expect(reply.status, reply.body).toBe(200);
  const { token, refresh_token } = loginSchema.parse(jsonBody(reply));
  return { ...account, token, refreshToken: refresh_token };
}

export type BrowserSession = Account & { access: string; refresh: string };

/** A browser session: the two cookies, from the JSON login a page script uses. */
export async function browserLogin(
  server: ServerInfo,
  account: Account,
  ip = randomAddress(),
): Promise<BrowserSession> {
  const reply = await send(server, {
    path: '/api/login',
    json: { email: account.email, password: account.password },
    headers: { 'x-chirpy-session': 'cookie' },
    sameOrigin: true,
    ip,
  });
  expect(reply.status, reply.body).toBe(200);
  const access = setCookieValue(reply, ACCESS_COOKIE)?.value;
  const refresh = setCookieValue(reply, REFRESH_COOKIE)?.value;
  if (!access || !refresh) throw new Error('cookie login set no session cookies');
  return { ...account, access, refresh };
}
