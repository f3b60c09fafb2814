import { randomUUID } from 'node:crypto';
import { type Browser, expect, type Page, test } from '@playwright/test';
import { MESSAGES } from '../lib/messages';
import { type CapturedMail, type MailCatcher, startMailCatcher } from '../test/mail-catcher';
import { expectOnLoginPage, expectSignedIn, PASSWORD, signUp, uniqueEmail } from './helpers';
import { E2E_BASE_URL, E2E_SMTP_PORT } from './settings';

/**
 * A forgotten password, end to end: a real SMTP server started here (the server's SMTP_URL
 * points at it, playwright.config.ts), the request made in the browser, the mail read from what
 * the server received, its link followed. With JavaScript on and off.
 */

const NEW_PASSWORD = `a brand new passphrase ${randomUUID().slice(0, 8)}`;

let catcher: MailCatcher;

test.beforeAll(async () => {
  catcher = await startMailCatcher(E2E_SMTP_PORT);
});

test.afterAll(async () => {
  await catcher.close();
});

async function newPage(browser: Browser, { javaScript = true } = {}): Promise<Page> {
  const context = await browser.newContext({ baseURL: E2E_BASE_URL, javaScriptEnabled: javaScript });
  return context.newPage();
}

// Reset mails only: a sign-up mails its confirmation link to the same inbox.
function mailsTo(email: string): CapturedMail[] {
  return catcher.mails.filter((mail) => mail.to.includes(email) && mail.subject === 'Reset your Chirpy password');
}

/** The reset link of the latest mail to `email`, once one has arrived. */
async function resetLinkFor(email: string, count = 1): Promise<string> {
  await expect.poll(() => mailsTo(email).length, { message: `a reset mail to ${email}` }).toBeGreaterThanOrEqual(count);
  const mail = mailsTo(email).at(-1);
  expect(mail?.subject).toBe('Reset your Chirpy password');
  const link = /http:\/\/\S+\/reset-password\?token=[0-9a-f]{64}/.exec(mail?.text ?? '')?.[0];
  if (link === undefined) throw new Error('the mail holds no reset link');
  return link;
}

async function askForLink(page: Page, email: string): Promise<void> {
  await page.goto('/forgot-password');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expect(page.getByTestId('forgot-password').getByRole('status')).toHaveText(MESSAGES.reset_link_sent);
}

async function chooseNewPassword(page: Page, link: string, password = NEW_PASSWORD, again = password): Promise<void> {
  await page.goto(link);
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('New password, again').fill(again);
  await page.getByRole('button', { name: 'Set the new password' }).click();
}

async function expectSignInRefused(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: MESSAGES.incorrect_credentials })).toBeVisible();
}

test('a forgotten password: the mailed link sets a new one and signs in, every other browser is signed out, the link works once', async ({
  browser,
}) => {
  // Signed in elsewhere before the reset: that browser must be signed out by it.
  const elsewhere = await newPage(browser);
  const email = await signUp(elsewhere, 'reset');
  const page = await newPage(browser);

  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/forgot-password');
  await askForLink(page, email);
  const link = await resetLinkFor(email);
  expect(link.startsWith(`${E2E_BASE_URL}/reset-password?token=`)).toBe(true);

  await chooseNewPassword(page, link);
  await expectSignedIn(page, email);

  await elsewhere.goto('/account');
  await expectOnLoginPage(elsewhere);

  const stranger = await newPage(browser);
  await expectSignInRefused(stranger, email, PASSWORD);

  await page.goto(link);
  await expect(page.getByRole('alert').filter({ hasText: MESSAGES.reset_link_invalid })).toBeVisible();
  await expect(page.getByLabel('New password', { exact: true })).toHaveCount(0);

  // The account page says what happened.
  await page.goto('/account');
  await expect(page.getByText('Password reset with an emailed link')).toBeVisible();
});

test('with JavaScript off: the same answer for an unknown address, and a reset that asks for the password twice', async ({
  browser,
}) => {
  const page = await newPage(browser, { javaScript: false });
  const email = await signUp(await newPage(browser), 'reset-nojs');

  await askForLink(page, uniqueEmail('nobody'));
  await askForLink(page, email);
  const link = await resetLinkFor(email);

  await chooseNewPassword(page, link, NEW_PASSWORD, `${NEW_PASSWORD} but different`);
  await expect(page.getByRole('alert').filter({ hasText: MESSAGES.passwords_differ })).toBeVisible();
  await chooseNewPassword(page, link);
  await expectSignedIn(page, email);
});

test('a second request replaces the first link', async ({ browser }) => {
  const page = await newPage(browser);
  const email = await signUp(await newPage(browser), 'reset-twice');

  await askForLink(page, email);
  const first = await resetLinkFor(email, 1);
  await askForLink(page, email);
  const second = await resetLinkFor(email, 2);

  await page.goto(first);
  await expect(page.getByRole('alert').filter({ hasText: MESSAGES.reset_link_invalid })).toBeVisible();
  await chooseNewPassword(page, second);
  await expectSignedIn(page, email);
});
