import { expect, type Page, test } from '@playwright/test';
import {
  ACCESS_COOKIE,
  expectOnLoginPage,
  expectSignedIn,
  PASSWORD,
  REFRESH_COOKIE,
  refreshCookie,
  sessionCookies,
  signUp,
  uniqueEmail,
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
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectSignedIn(page, email);
});

test('signing out ends the session: home sends you to /login', async ({ page, context }) => {
  await signUp(page, 'signout');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectOnLoginPage(page);
  expect(await sessionCookies(context)).toEqual([]);

  await page.goto('/');
  await expectOnLoginPage(page);
  expect(new URL(page.url()).searchParams.get('next')).toBe('/');
});

test('a wrong password shows an error and sets no session cookies', async ({ page, context, request }) => {
  const email = uniqueEmail('wrong-password');
  expect((await request.post('/api/users', { data: { email, password: PASSWORD } })).status()).toBe(201);

  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(`${PASSWORD}!`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectOnLoginPage(page);
  await expect(formError(page)).toHaveText('Incorrect email or password');
  expect(await sessionCookies(context)).toEqual([]);

  // An unknown email gets exactly the same answer: the form does not reveal who has an account.
  await page.getByLabel('Email').fill(uniqueEmail('nobody'));
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(formError(page)).toHaveText('Incorrect email or password');
  expect(await sessionCookies(context)).toEqual([]);
});

test('document.cookie shows neither token', async ({ page, context }) => {
  const signUpResponse = page.waitForResponse(
    (response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/api/users',
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
