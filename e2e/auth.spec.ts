import { expect, type Page, test } from '@playwright/test';
import {
  ACCESS_COOKIE,
  apiAuthor,
  expectOnLoginPage,
  expectSignedIn,
  expectSignedOut,
  PASSWORD,
  REFRESH_COOKIE,
  refreshCookie,
  sessionCookies,
  signUp,
  uniqueEmail,
  waitForAccessExpiry,
} from './helpers';

/** The form's own alert; Next's route announcer is an (empty) alert too. */
function formError(page: Page) {
  return page.locator('form').getByRole('alert');
}

test('signing up lands on the home page showing the email', async ({ page, context }) => {
  const email = await signUp(page, 'signup');
  await page.reload();
  await expectSignedIn(page, email);
  await refreshCookie(context);
});

test('signing in with the form lands on the home page', async ({ page, request }) => {
  const email = uniqueEmail('signin');
  expect((await request.post('/api/users', { data: { email, password: PASSWORD } })).status()).toBe(201);
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectSignedIn(page, email);
});

test('signing out ends the session: you land on /login, and home is the public timeline again', async ({
  page,
  context,
}) => {
  await signUp(page, 'signout');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectOnLoginPage(page);
  expect(await sessionCookies(context)).toEqual([]);

  await page.goto('/');
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await expectSignedOut(page);
  await expect(page.getByRole('textbox', { name: 'New chirp' })).toHaveCount(0);
});

test('signing out after the access cookie expired still ends the session and clears both cookies', async ({
  page,
  context,
}) => {
  const email = await signUp(page, 'signout-expired');
  await page.reload();
  await expectSignedIn(page, email);
  await waitForAccessExpiry(page);

  // The proxy renews the session on this very request; the action then ends it and clears the
  // cookies it just renewed.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectOnLoginPage(page);
  expect(await sessionCookies(context)).toEqual([]);
  await page.goto('/');
  await expectSignedOut(page);
});

test('signing in goes to the page that asked for it (next), and never off the site', async ({ page, request }) => {
  const author = await apiAuthor(request, 'next-target');
  const email = uniqueEmail('next');
  expect((await request.post('/api/users', { data: { email, password: PASSWORD } })).status()).toBe(201);

  await page.goto(`/login?next=${encodeURIComponent(`/users/${author.id}`)}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL((url) => url.pathname === `/users/${author.id}`);
  await expect(page.getByTestId('signed-in-email')).toHaveText(email);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectOnLoginPage(page);
  await page.goto(`/login?next=${encodeURIComponent('//evil.example/')}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectSignedIn(page, email);
});

test('a wrong password shows an error and sets no session cookies', async ({ page, context, request }) => {
  const email = uniqueEmail('wrong-password');
  expect((await request.post('/api/users', { data: { email, password: PASSWORD } })).status()).toBe(201);

  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(`${PASSWORD}!`);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectOnLoginPage(page);
  await expect(formError(page)).toHaveText('Incorrect email or password');
  expect(await sessionCookies(context)).toEqual([]);

  // An unknown email gets exactly the same answer: the form does not reveal who has an account.
  await page.getByLabel('Email').fill(uniqueEmail('nobody'));
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(formError(page)).toHaveText('Incorrect email or password');
  expect(await sessionCookies(context)).toEqual([]);
});

test('document.cookie shows neither token', async ({ page, context }) => {
  // The sign-up form posts to its server action, at the page's own address.
  const signUpResponse = page.waitForResponse(
    (response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/signup',
  );
  await signUp(page, 'httponly');
  const visible = await page.evaluate(() => document.cookie);
  expect(visible).not.toContain(ACCESS_COOKIE);
  expect(visible).not.toContain(REFRESH_COOKIE);

  // Both were set, as httpOnly, SameSite=Lax, site-wide cookies. (Read from the Set-Cookie
  // headers: with a 3-second access token, the access cookie may be gone by now.)
  const setCookies = await (await signUpResponse).headerValues('set-cookie');
  for (const name of [ACCESS_COOKIE, REFRESH_COOKIE]) {
    const header = setCookies.find((value) => value.startsWith(`${name}=`));
    expect(header, `Set-Cookie for ${name}`).toBeDefined();
    expect(header).toMatch(/;\s*HttpOnly(;|$)/i);
    expect(header).toMatch(/;\s*SameSite=Lax(;|$)/i);
    expect(header).toMatch(/;\s*Path=\/(;|$)/i);
  }
  expect(await refreshCookie(context)).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
});
