import { expect, test } from '@playwright/test';
import {
  expectSignedIn,
  expectSignedOut,
  REFRESH_COOKIE,
  refreshCookie,
  sessionCookies,
  signUp,
  waitForAccessExpiry,
  waitForGraceWindowToClose,
} from './helpers';

/**
 * The server runs with a 3-second access token and a 3-second reuse grace window
 * (e2e/settings.ts), so these specs wait for real expiry instead of faking the clock.
 */

test('after the access token expires, a reload keeps you signed in with a rotated refresh cookie', async ({
  page,
  context,
}) => {
  const email = await signUp(page, 'expiry');
  const before = await refreshCookie(context);

  await waitForAccessExpiry(page);
  expect((await sessionCookies(context)).map((cookie) => cookie.name)).toEqual([REFRESH_COOKIE]);
  await page.reload();

  await expectSignedIn(page, email);
  const after = await refreshCookie(context);
  expect(after.value).not.toBe(before.value);
});

test('ten parallel requests right after expiry all succeed and the session survives', async ({ page, context }) => {
  const email = await signUp(page, 'parallel');
  const before = await refreshCookie(context);

  await waitForAccessExpiry(page);
  const answers = await page.evaluate(() =>
    Promise.all(
      Array.from({ length: 10 }, async () => {
        const response = await fetch('/api/me');
        const body: unknown = await response.json();
        return { status: response.status, body };
      }),
    ),
  );
  expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
  for (const answer of answers) expect(answer.body).toMatchObject({ email });

  // One of them rotated the token; the others were inside the grace window and left the cookie
  // alone, so the browser holds exactly one refresh cookie: the successor.
  const after = await refreshCookie(context);
  expect(after.value).not.toBe(before.value);
  await page.reload();
  await expectSignedIn(page, email);
  await refreshCookie(context);
});

test('an old refresh cookie replayed after the grace window signs the session out everywhere', async ({
  page,
  context,
  browser,
  baseURL,
}) => {
  if (!baseURL) throw new Error('baseURL is set in playwright.config.ts');
  const email = await signUp(page, 'reuse');
  const stolen = await refreshCookie(context);

  await waitForAccessExpiry(page);
  await page.reload();
  await expectSignedIn(page, email);
  expect((await refreshCookie(context)).value).not.toBe(stolen.value);
  // The browser renews once more with the cookie it got: that confirms it received it, so from
  // now on the first cookie is good only as a copy (an unconfirmed successor may have been lost).
  await waitForAccessExpiry(page);
  await page.reload();
  await expectSignedIn(page, email);

  await waitForGraceWindowToClose(page);
  const thief = await browser.newContext({ baseURL });
  try {
    await thief.addCookies([{ name: REFRESH_COOKIE, value: stolen.value, url: baseURL }]);
    const thiefPage = await thief.newPage();
    await thiefPage.goto('/');
    // The timeline is public: the thief stays on it, signed out, rather than being sent to /login.
    await expect(thiefPage).toHaveURL((url) => url.pathname === '/');
    await expectSignedOut(thiefPage);
    expect(await sessionCookies(thief)).toEqual([]);
  } finally {
    await thief.close();
  }

  // The replay revoked the whole session, so the rightful browser's successor token died too.
  await page.goto('/');
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await expectSignedOut(page);
  expect(await sessionCookies(context)).toEqual([]);
});

test('a rotated cookie that never reached the browser does not sign it out after the grace window', async ({
  page,
  context,
  playwright,
  baseURL,
}) => {
  if (!baseURL) throw new Error('baseURL is set in playwright.config.ts');
  const email = await signUp(page, 'lost');
  const held = await refreshCookie(context);
  await waitForAccessExpiry(page);

  // The server rotates the browser's cookie and commits, but the response goes elsewhere (it is
  // as if the connection dropped after the commit): the browser never sees the successor.
  const elsewhere = await playwright.request.newContext({ baseURL });
  try {
    const lost = await elsewhere.get('/api/me', { headers: { cookie: `${REFRESH_COOKIE}=${held.value}` } });
    expect(lost.status()).toBe(200);
  } finally {
    await elsewhere.dispose();
  }
  expect((await refreshCookie(context)).value).toBe(held.value);

  await waitForGraceWindowToClose(page);
  await page.reload();
  await expectSignedIn(page, email);
  expect((await refreshCookie(context)).value).not.toBe(held.value);
});
