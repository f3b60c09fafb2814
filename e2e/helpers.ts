import { randomUUID } from 'node:crypto';
import { type APIRequestContext, type BrowserContext, type Cookie, expect, type Page } from '@playwright/test';
import { ACCESS_TTL_SECONDS, EXPIRY_MARGIN_MS, REUSE_GRACE_SECONDS } from './settings';

/** Served over http, so the cookies have their plain names (no `__Host-` prefix). */
export const ACCESS_COOKIE = 'chirpy_access';
export const REFRESH_COOKIE = 'chirpy_refresh';

export const PASSWORD = 'correct horse battery staple';

/** Every test signs up its own account: the server (and its database) lives for the whole run. */
export function uniqueEmail(label: string): string {
  return `${label}-${randomUUID()}@example.com`;
}

/** Signs up through the form, which signs the new account in and sends it home. */
export async function signUp(page: Page, label = 'user'): Promise<string> {
  const email = uniqueEmail(label);
  await page.goto('/signup');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expectSignedIn(page, email);
  return email;
}

export async function expectSignedIn(page: Page, email: string): Promise<void> {
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await expect(page.getByTestId('signed-in-email')).toHaveText(email);
  await expect(page.getByTestId('welcome')).toContainText(email);
}

export async function expectOnLoginPage(page: Page): Promise<void> {
  await expect(page).toHaveURL((url) => url.pathname === '/login');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByTestId('signed-in-email')).toHaveCount(0);
}

/**
 * Signed out, wherever the page is: no account in the header, a Sign in link instead. (A page
 * load with a session that ended is sent to /login by the proxy today; once `/` is public for
 * such a request too, the same load stays on `/`. Both are signed out.)
 */
export async function expectSignedOut(page: Page): Promise<void> {
  await expect(page.locator('header').getByRole('link', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByTestId('signed-in-email')).toHaveCount(0);
}

export type ApiAuthor = { id: string; email: string; token: string };

/** An account made and signed in through the JSON API: someone else, whose chirps a spec reads. */
export async function apiAuthor(request: APIRequestContext, label: string): Promise<ApiAuthor> {
  const email = uniqueEmail(label);
  const created = await request.post('/api/users', { data: { email, password: PASSWORD } });
  expect(created.status()).toBe(201);
  const login = await request.post('/api/login', { data: { email, password: PASSWORD } });
  expect(login.status()).toBe(200);
  const body: unknown = await login.json();
  if (typeof body !== 'object' || body === null) throw new Error('login answered no object');
  const id: unknown = Reflect.get(body, 'id');
  const token: unknown = Reflect.get(body, 'token');
  if (typeof id !== 'string' || typeof token !== 'string') throw new Error('login answered no id or token');
  return { id, email, token };
}

export async function apiChirp(request: APIRequestContext, author: ApiAuthor, body: string): Promise<void> {
  const response = await request.post('/api/chirps', {
    headers: { Authorization: `Bearer ${author.token}` },
    data: { body },
  });
  expect(response.status()).toBe(201);
}

/** The name the timeline shows for an address: the part before the `@`. */
export function authorName(email: string): string {
  return email.slice(0, email.indexOf('@'));
}

export async function sessionCookies(context: BrowserContext): Promise<Cookie[]> {
  return (await context.cookies()).filter((cookie) => cookie.name === ACCESS_COOKIE || cookie.name === REFRESH_COOKIE);
}

/** The one refresh cookie of the context: fails the test if there is none or more than one. */
export async function refreshCookie(context: BrowserContext): Promise<Cookie> {
  const cookies = (await context.cookies()).filter((cookie) => cookie.name === REFRESH_COOKIE);
  expect(cookies).toHaveLength(1);
  const [cookie] = cookies;
  if (!cookie) throw new Error('unreachable: length checked above');
  return cookie;
}

/** Until the browser has dropped the access cookie (its Max-Age is the token's lifetime). */
export function waitForAccessExpiry(page: Page): Promise<void> {
  return page.waitForTimeout(ACCESS_TTL_SECONDS * 1000 + EXPIRY_MARGIN_MS);
}

/** Until a refresh token retired before this call is past the reuse grace window. */
export function waitForGraceWindowToClose(page: Page): Promise<void> {
  return page.waitForTimeout(REUSE_GRACE_SECONDS * 1000 + EXPIRY_MARGIN_MS);
}
