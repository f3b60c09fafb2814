import { type Browser, expect, type Page, test } from '@playwright/test';
import { generate } from 'otplib';
import { ACCOUNT_EVENT_TEXT, MESSAGES } from '../lib/messages';
import { type MailCatcher, startMailCatcher } from '../test/mail-catcher';
import { expectSignedIn, PASSWORD, signUp } from './helpers';
import { E2E_BASE_URL, E2E_SMTP_PORT } from './settings';

/**
 * Two-step sign-in in Chromium, on the production build: set up an authenticator app on the
 * account page with codes computed here from the key the page shows (as the app would), sign out,
 * sign in with a code, sign in with a recovery code, turn it off. With JavaScript on, and off
 * (every step is a plain form post).
 */

const STEP_MS = 30_000;

let catcher: MailCatcher;

test.beforeAll(async () => {
  catcher = await startMailCatcher(E2E_SMTP_PORT);
});

test.afterAll(async () => {
  await catcher.close();
});

/**
 * The app's codes, each for a time step later than the last one given: the server accepts a step
 * once, and ±1 step of its clock. When the next step is not yet within reach, wait for it.
 */
function authenticatorApp(secret: string) {
  let lastStep = Number.NEGATIVE_INFINITY;
  return async (): Promise<string> => {
    for (;;) {
      const current = Math.floor(Date.now() / STEP_MS);
      const step = Math.max(lastStep + 1, current);
      if (step <= current + 1) {
        lastStep = step;
        return generate({ secret, epoch: step * (STEP_MS / 1000) });
      }
      await new Promise((resolve) => setTimeout(resolve, (current + 1) * STEP_MS - Date.now() + 50));
    }
  };
}

async function newPage(browser: Browser, javaScript: boolean): Promise<Page> {
  const context = await browser.newContext({ baseURL: E2E_BASE_URL, javaScriptEnabled: javaScript });
  return context.newPage();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/login');
}

/** The password, then the second step's page, then `code`: back home, signed in. */
async function signInWithCode(page: Page, email: string, code: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/login/code');
  await expect(page.getByRole('heading', { name: 'Two-step sign-in' })).toBeVisible();
  await expect(page.getByTestId('signed-in-email')).toHaveCount(0);
  await page.getByLabel('Code', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expectSignedIn(page, email);
}

async function openTwoStep(page: Page) {
  await page.goto('/account');
  return page.getByTestId('totp');
}

for (const javaScript of [true, false]) {
  test(`enrol, sign in with a code and with a recovery code, turn off (JavaScript ${javaScript ? 'on' : 'off'})`, async ({
    browser,
  }) => {
    test.setTimeout(120_000);
    const page = await newPage(browser, javaScript);
    const email = await signUp(page, javaScript ? 'totp-js' : 'totp-nojs');

    let section = await openTwoStep(page);
    await section.getByTestId('start-totp').getByLabel('Current password').fill(PASSWORD);
    await section.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await expect(section.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
    const key = (await section.getByTestId('totp-key').textContent()) ?? '';
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    const app = authenticatorApp(key);

    await section.getByLabel('Code from the app').fill('000000');
    await section.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await expect(section.getByRole('alert')).toHaveText(MESSAGES.totp_code_invalid);
    await section.getByLabel('Code from the app').fill(await app());
    await section.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await expect(section.getByTestId('totp-on')).toBeVisible();
    const codes = await section.getByTestId('recovery-codes').locator('code').allTextContents();
    expect(codes).toHaveLength(10);
    await expect(section.getByTestId('totp-key')).toHaveCount(0);

    // Shown once: a fresh load of the page has the factor on, and neither the key nor the codes.
    section = await openTwoStep(page);
    await expect(section.getByTestId('totp-on')).toContainText('Recovery codes left: 10');
    await expect(section.getByTestId('recovery-codes')).toHaveCount(0);
    await expect(page.locator('body')).not.toContainText(key);

    await signOut(page);
    await signInWithCode(page, email, await app());

    await signOut(page);
    await signInWithCode(page, email, codes[0] ?? '');
    // Notices only: a sign-up mails its confirmation link to the same inbox.
    await expect
      .poll(() =>
        catcher.mails
          .filter((mail) => mail.to.includes(email) && mail.subject !== 'Confirm your Chirpy email address')
          .map((mail) => mail.subject),
      )
      .toEqual(['A recovery code was used to sign in to your Chirpy account']);

    section = await openTwoStep(page);
    await expect(section.getByTestId('totp-on')).toContainText('Recovery codes left: 9');
    const turnOff = section.getByTestId('turn-off-totp');
    await turnOff.getByLabel('Current password').fill(PASSWORD);
    await turnOff.getByLabel('Code from the app, or a recovery code').fill(await app());
    await turnOff.getByRole('button', { name: 'Turn off two-step sign-in' }).click();
    await expect(section.getByRole('status')).toHaveText(MESSAGES.totp_disabled);
    await expect(section.getByTestId('start-totp')).toBeVisible();
    const activity = page.getByRole('region', { name: 'Recent activity' });
    for (const text of [
      ACCOUNT_EVENT_TEXT.totp_enabled,
      ACCOUNT_EVENT_TEXT.recovery_code_used,
      ACCOUNT_EVENT_TEXT.totp_disabled,
    ]) {
      await expect(activity).toContainText(text);
    }

    // Off: the password alone signs in again.
    await signOut(page);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectSignedIn(page, email);
  });
}
