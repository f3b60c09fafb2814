import { type Browser, expect, type Page, test } from '@playwright/test';
import { MESSAGES } from '../lib/messages';
import { type CapturedMail, type MailCatcher, startMailCatcher } from '../test/mail-catcher';
import { expectOnLoginPage, expectSignedIn, PASSWORD, signUp, uniqueEmail } from './helpers';
import { E2E_BASE_URL, E2E_SMTP_PORT, E2E_STRICT_BASE_URL } from './settings';

/**
 * Verified addresses, end to end, with the mail read from a real SMTP server started here (both
 * servers' SMTP_URL point at it, playwright.config.ts): the sign-up's link, an address change
 * confirmed from the new inbox, and the old inbox's "this wasn't me". The last tests run against
 * the second server, where REQUIRE_EMAIL_VERIFICATION=true.
 */

const SUBJECTS = {
  signUp: 'Confirm your Chirpy email address',
  newAddress: 'Confirm your new Chirpy email address',
  notice: 'The email address of your Chirpy account is changing',
};

let catcher: MailCatcher;

test.beforeAll(async () => {
  catcher = await startMailCatcher(E2E_SMTP_PORT);
});

test.afterAll(async () => {
  await catcher.close();
});

async function newPage(browser: Browser, { javaScript = true, baseURL = E2E_BASE_URL } = {}): Promise<Page> {
  const context = await browser.newContext({ baseURL, javaScriptEnabled: javaScript });
  return context.newPage();
}

function mailsTo(email: string, subject: string): CapturedMail[] {
  return catcher.mails.filter((mail) => mail.to.includes(email) && mail.subject === subject);
}

/** The link of the latest mail to `email` with `subject`, once `count` of them have arrived. */
async function linkIn(email: string, subject: string, count = 1): Promise<string> {
  await expect
    .poll(() => mailsTo(email, subject).length, { message: `"${subject}" to ${email}` })
    .toBeGreaterThanOrEqual(count);
  const link = /http:\/\/\S+\/(?:verify|revert)-email\?token=[0-9a-f]{64}/.exec(
    mailsTo(email, subject).at(-1)?.text ?? '',
  )?.[0];
  if (link === undefined) throw new Error('the mail holds no link');
  return link;
}

async function confirmWith(page: Page, link: string): Promise<void> {
  await page.goto(link);
  await page.getByRole('button', { name: 'Confirm my address' }).click();
  await expect(page.getByRole('heading', { name: 'Email address confirmed' })).toBeVisible();
}

async function changeEmailTo(page: Page, newEmail: string): Promise<void> {
  await page.goto('/account');
  const form = page.getByTestId('change-email');
  await form.getByLabel('New email').fill(newEmail);
  await form.getByLabel('Current password').fill(PASSWORD);
  await form.getByRole('button', { name: 'Change email' }).click();
}

async function signInWith(page: Page, email: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

test('sign up, open the mail, follow the link (JavaScript off), and the banner is gone', async ({ browser }) => {
  const page = await newPage(browser);
  const email = await signUp(page, 'verify');
  const banner = page.getByTestId('verification-banner');
  await expect(banner).toContainText(email);

  const link = await linkIn(email, SUBJECTS.signUp);
  expect(link.startsWith(`${E2E_BASE_URL}/verify-email?token=`)).toBe(true);
  await confirmWith(await newPage(browser, { javaScript: false }), link);

  await page.goto('/');
  await expectSignedIn(page, email);
  await expect(banner).toHaveCount(0);
  await page.goto('/account');
  await expect(page.getByTestId('address-state')).toHaveText('Confirmed.');
  await expect(page.getByText('Email address confirmed')).toBeVisible();

  // The link worked once.
  await page.goto(link);
  await expect(page.getByRole('alert').filter({ hasText: MESSAGES.email_link_invalid })).toBeVisible();
});

test('the banner sends the link again, and only the newest link works', async ({ page }) => {
  const email = await signUp(page, 'verify-again');
  const first = await linkIn(email, SUBJECTS.signUp);
  await page.getByTestId('verification-banner').getByRole('button', { name: 'Send the link again' }).click();
  await expect(page.getByTestId('resend-confirmation').getByRole('status')).toHaveText(
    MESSAGES.confirmation_link_resent,
  );
  const second = await linkIn(email, SUBJECTS.signUp, 2);

  await page.goto(first);
  await expect(page.getByRole('alert').filter({ hasText: MESSAGES.email_link_invalid })).toBeVisible();
  await confirmWith(page, second);
});

test('change the address, confirm from the new inbox, then "this wasn\'t me" from the old one puts it back and ends every session', async ({
  browser,
}) => {
  const page = await newPage(browser);
  const email = await signUp(page, 'old-address');
  await confirmWith(page, await linkIn(email, SUBJECTS.signUp));
  const elsewhere = await newPage(browser);
  await signInWith(elsewhere, email);
  await expectSignedIn(elsewhere, email);

  const newEmail = uniqueEmail('new-address');
  await changeEmailTo(page, newEmail);
  await expect(page.getByTestId('change-email').getByRole('status')).toHaveText(MESSAGES.email_changed);
  await expect(page.getByTestId('account-email')).toHaveText(newEmail);
  await expect(page.getByTestId('address-state')).toHaveText('Not confirmed yet.');

  await confirmWith(page, await linkIn(newEmail, SUBJECTS.newAddress));
  await page.goto('/account');
  await expect(page.getByTestId('address-state')).toHaveText('Confirmed.');
  await expect(page.getByTestId('verification-banner')).toHaveCount(0);

  // The old inbox's notice, and its link, followed in this very browser.
  const notice = mailsTo(email, SUBJECTS.notice).at(-1);
  expect(notice?.text).not.toContain(newEmail);
  await page.goto(await linkIn(email, SUBJECTS.notice));
  await page.getByRole('button', { name: 'Put my address back and sign out everywhere' }).click();
  await expect(page.getByRole('heading', { name: 'Your address is back' })).toBeVisible();
  await expect(page.getByTestId('signed-in-email')).toHaveCount(0);

  // Every session has ended: this one and the other browser's.
  await elsewhere.goto('/account');
  await expectOnLoginPage(elsewhere);
  await page.goto('/account');
  await expectOnLoginPage(page);

  // The old address is the account's again, confirmed; the new one signs nobody in.
  await signInWith(page, newEmail);
  await expect(page.locator('form').getByRole('alert')).toHaveText(MESSAGES.incorrect_credentials);
  await signInWith(page, email);
  await expectSignedIn(page, email);
  await page.goto('/account');
  await expect(page.getByTestId('account-email')).toHaveText(email);
  await expect(page.getByTestId('address-state')).toHaveText('Confirmed.');
  await expect(page.getByText('Email change undone with the link sent to the old address')).toBeVisible();
});

test.describe('with REQUIRE_EMAIL_VERIFICATION=true', () => {
  test('a new account gets no session until the link is followed; the sign-in form explains and sends it again', async ({
    browser,
  }) => {
    const page = await newPage(browser, { baseURL: E2E_STRICT_BASE_URL });
    const email = uniqueEmail('strict');
    await page.goto('/signup');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page).toHaveURL((url) => url.pathname === '/verify-email');
    await expect(page.getByRole('status').filter({ hasText: MESSAGES.signed_up_confirm_email })).toBeVisible();
    await expect(page.getByTestId('signed-in-email')).toHaveCount(0);

    await signInWith(page, email);
    await expect(page.locator('form').getByRole('alert')).toHaveText(MESSAGES.email_unverified);
    const resend = page.getByTestId('request-confirmation');
    await resend.getByRole('button', { name: 'Send the link again' }).click();
    await expect(resend.getByRole('status')).toHaveText(MESSAGES.confirmation_link_sent);

    // Three links by now: the sign-up's, the refused sign-in's, and the one asked for; the last works.
    const link = await linkIn(email, SUBJECTS.signUp, 3);
    expect(link.startsWith(`${E2E_STRICT_BASE_URL}/verify-email?token=`)).toBe(true);
    await confirmWith(page, link);
    await signInWith(page, email);
    await expectSignedIn(page, email);
  });

  test('a new address waits for its link: the account page shows it pending, then the new address signs in', async ({
    browser,
  }) => {
    const page = await newPage(browser, { baseURL: E2E_STRICT_BASE_URL });
    const email = uniqueEmail('strict-change');
    const created = await page.request.post('/api/users', { data: { email, password: PASSWORD } });
    expect(created.status()).toBe(201);
    await confirmWith(page, await linkIn(email, SUBJECTS.signUp));
    await signInWith(page, email);
    await expectSignedIn(page, email);

    const newEmail = uniqueEmail('strict-new');
    await changeEmailTo(page, newEmail);
    await expect(page.getByTestId('change-email').getByRole('status')).toHaveText(MESSAGES.email_change_pending);
    await expect(page.getByTestId('account-email')).toHaveText(email);
    await expect(page.getByTestId('pending-email')).toHaveText(newEmail);
    await expect(page.getByTestId('verification-banner')).toContainText(newEmail);
    await expect.poll(() => mailsTo(email, SUBJECTS.notice).length).toBe(1);

    await confirmWith(page, await linkIn(newEmail, SUBJECTS.newAddress));
    await page.goto('/account');
    await expect(page.getByTestId('account-email')).toHaveText(newEmail);
    await expect(page.getByTestId('pending-email')).toHaveCount(0);
  });
});
