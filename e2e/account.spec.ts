import { randomUUID } from 'node:crypto';
import { type APIRequestContext, type Browser, expect, type Locator, type Page, test } from '@playwright/test';
import { messageText } from '../lib/messages';
import { expectOnLoginPage, PASSWORD, signUp, uniqueEmail } from './helpers';
import { E2E_BASE_URL } from './settings';

/**
 * The account page in real browsers: two browsers signed in as one person, one ending the
 * other's session from the list or everywhere else at once, and the credentials changes with
 * JavaScript off (plain form posts) and on (no page load), each keeping the browser that made
 * it signed in and signing out every other.
 */

const NEW_PASSWORD = `a brand new passphrase ${randomUUID().slice(0, 8)}`;

async function newPage(browser: Browser, { javaScript = true } = {}): Promise<Page> {
  const context = await browser.newContext({ baseURL: E2E_BASE_URL, javaScriptEnabled: javaScript });
  return context.newPage();
}

async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await expect(page.getByTestId('signed-in-email')).toHaveText(email);
}

/** A second browser signed in as the same person, as if on another computer. */
async function signedInElsewhere(browser: Browser, email: string): Promise<Page> {
  const page = await newPage(browser);
  await signIn(page, email);
  return page;
}

/** The same person signed in through the JSON API: a bearer session of their account. */
async function bearerToken(request: APIRequestContext, email: string): Promise<string> {
  const login = await request.post('/api/login', { data: { email, password: PASSWORD } });
  expect(login.status()).toBe(200);
  const body: unknown = await login.json();
  const token: unknown = typeof body === 'object' && body !== null ? Reflect.get(body, 'token') : undefined;
  if (typeof token !== 'string') throw new Error('login answered no token');
  return token;
}

async function openAccount(page: Page): Promise<void> {
  await page.goto('/account');
  await expect(page.getByRole('heading', { level: 1, name: 'Account' })).toBeVisible();
}

function region(page: Page, name: string): Locator {
  return page.getByRole('region', { name });
}

function sessionRows(page: Page): Locator {
  return page.getByTestId('session');
}

async function expectSentToSignIn(page: Page): Promise<void> {
  await page.goto('/account');
  await expectOnLoginPage(page);
  await expect(page).toHaveURL((url) => url.searchParams.get('next') === '/account');
}

/** The form's refusal; Next's route announcer is an (empty) alert too, so the form is named. */
function formAlert(form: Locator): Locator {
  return form.getByRole('alert');
}

test('the header links to /account, and a signed-out visitor is sent to sign in and back', async ({ page }) => {
  await page.goto('/account');
  await expectOnLoginPage(page);
  await expect(page).toHaveURL((url) => url.searchParams.get('next') === '/account');

  const email = await signUp(page, 'account-link');
  await page.locator('header').getByRole('link', { name: 'Account' }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/account');
  await expect(page.getByTestId('account-email')).toHaveText(email);
  // Signing up is the first event of the account's activity.
  await expect(page.getByTestId('activity-entry').last()).toContainText('Account created');
});

test('the first browser ends the second’s session from the list; the second is sent to /login on its next load', async ({
  page,
  browser,
}) => {
  const email = await signUp(page, 'end-one');
  const second = await signedInElsewhere(browser, email);

  await openAccount(page);
  await expect(sessionRows(page)).toHaveCount(2);
  const thisDevice = sessionRows(page).filter({ hasText: 'This device' });
  await expect(thisDevice).toHaveCount(1);
  await expect(thisDevice.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
  const other = sessionRows(page).filter({ hasNotText: 'This device' });
  await expect(other.locator('time')).toHaveCount(2);

  await other.getByRole('button', { name: 'Sign out' }).click();

  const sessions = region(page, 'Where you are signed in');
  await expect(sessions.getByRole('status')).toHaveText(messageText('session_signed_out'));
  await expect(sessionRows(page)).toHaveCount(1);
  await expect(sessionRows(page)).toContainText('This device');
  await expect(page.getByTestId('activity-entry').first()).toContainText('Session ended by another session');

  await expectSentToSignIn(second);
  await openAccount(page);
  await expect(page.getByTestId('signed-in-email')).toHaveText(email);
});

test('"Sign out everywhere else" ends the other browser’s session and the API client’s, and this one stays', async ({
  page,
  browser,
  request,
}) => {
  const email = await signUp(page, 'end-others');
  const second = await signedInElsewhere(browser, email);
  const token = await bearerToken(request, email);
  expect((await request.get('/api/me', { headers: { Authorization: `Bearer ${token}` } })).status()).toBe(200);

  await openAccount(page);
  await expect(sessionRows(page)).toHaveCount(3);
  await page.getByRole('button', { name: 'Sign out everywhere else' }).click();

  await expect(region(page, 'Where you are signed in').getByRole('status')).toHaveText(
    messageText('other_sessions_signed_out'),
  );
  await expect(sessionRows(page)).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Sign out everywhere else' })).toHaveCount(0);

  await expectSentToSignIn(second);
  expect((await request.get('/api/me', { headers: { Authorization: `Bearer ${token}` } })).status()).toBe(401);
  await openAccount(page);
  await expect(page.getByTestId('signed-in-email')).toHaveText(email);
});

test('changing the password with JavaScript off: a wrong current password is refused, the right one signs out everywhere else', async ({
  browser,
}) => {
  const page = await newPage(browser, { javaScript: false });
  const email = await signUp(page, 'change-password');
  const second = await signedInElsewhere(browser, email);
  await openAccount(page);
  const form = page.getByTestId('change-password');

  await form.getByLabel('Current password').fill('not my password');
  await form.getByLabel('New password').fill(NEW_PASSWORD);
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(formAlert(page.getByTestId('change-password'))).toHaveText(messageText('wrong_current_password'));
  await openAccount(second);

  await form.getByLabel('Current password').fill(PASSWORD);
  await form.getByLabel('New password').fill(NEW_PASSWORD);
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.getByRole('status')).toHaveText(messageText('password_changed'));
  await expect(sessionRows(page)).toHaveCount(1);
  await expect(page.getByTestId('activity')).toContainText('Password changed');
  await expect(page.getByTestId('activity')).toContainText('Session ended after a credential change');

  await expectSentToSignIn(second);
  // This browser is still signed in (a fresh load, not a re-post of the form).
  await openAccount(page);
  await expect(page.getByTestId('signed-in-email')).toHaveText(email);

  const fresh = await newPage(browser);
  await fresh.goto('/login');
  await fresh.getByLabel('Email').fill(email);
  await fresh.getByLabel('Password').fill(PASSWORD);
  await fresh.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(fresh.locator('form').getByRole('alert')).toHaveText(messageText('incorrect_credentials'));
  await signIn(fresh, email, NEW_PASSWORD);
});

test('changing the email with JavaScript off: refused without the password, then the header shows the new address', async ({
  browser,
}) => {
  const page = await newPage(browser, { javaScript: false });
  const email = await signUp(page, 'change-email');
  const second = await signedInElsewhere(browser, email);
  const newEmail = uniqueEmail('changed-email');
  await openAccount(page);
  const form = page.getByTestId('change-email');

  await form.getByLabel('New email').fill(newEmail);
  await form.getByLabel('Current password').fill('not my password');
  await form.getByRole('button', { name: 'Change email' }).click();
  await expect(formAlert(form)).toHaveText(messageText('wrong_current_password'));
  // The address typed is put back; the password never is.
  await expect(form.getByLabel('New email')).toHaveValue(newEmail);
  await expect(form.getByLabel('Current password')).toHaveValue('');
  await expect(page.getByTestId('signed-in-email')).toHaveText(email);
  await openAccount(second);

  await form.getByLabel('New email').fill(newEmail);
  await form.getByLabel('Current password').fill(PASSWORD);
  await form.getByRole('button', { name: 'Change email' }).click();
  await expect(form.getByRole('status')).toHaveText(messageText('email_changed'));
  await expect(page.getByTestId('signed-in-email')).toHaveText(newEmail);
  await expect(page.getByTestId('account-email')).toHaveText(newEmail);

  await expectSentToSignIn(second);
  await openAccount(page);
  await expect(page.getByTestId('signed-in-email')).toHaveText(newEmail);

  const fresh = await newPage(browser);
  await fresh.goto('/login');
  await fresh.getByLabel('Email').fill(email);
  await fresh.getByLabel('Password').fill(PASSWORD);
  await fresh.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(fresh.locator('form').getByRole('alert')).toHaveText(messageText('incorrect_credentials'));
  await signIn(fresh, newEmail);
});

test('with JavaScript the email change answers without a page load, the header following', async ({ page }) => {
  await signUp(page, 'change-email-js');
  const newEmail = uniqueEmail('changed-email-js');
  await openAccount(page);
  await page.evaluate(() => document.documentElement.setAttribute('data-e2e-mark', 'still-here'));
  const form = page.getByTestId('change-email');

  await form.getByLabel('New email').fill(newEmail);
  await form.getByLabel('Current password').fill(PASSWORD);
  await form.getByRole('button', { name: 'Change email' }).click();

  await expect(form.getByRole('status')).toHaveText(messageText('email_changed'));
  await expect(page.getByTestId('signed-in-email')).toHaveText(newEmail);
  await expect(page.getByTestId('account-email')).toHaveText(newEmail);
  await expect(page.getByTestId('activity-entry').first()).toContainText('Email changed');
  await expect(page.locator('html')).toHaveAttribute('data-e2e-mark', 'still-here');
  await openAccount(page);
  await expect(page.getByTestId('signed-in-email')).toHaveText(newEmail);
});
