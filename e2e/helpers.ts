import { randomUUID } from 'node:crypto';
import { type BrowserContext, type Cookie, expect, type Page } from '@playwright/test';
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
