import { randomUUID } from 'node:crypto';
import { type Browser, expect, type Locator, type Page, test } from '@playwright/test';
import {
  apiAuthor,
  apiChirp,
  authorName,
  expectSignedIn,
  expectSignedOut,
  PASSWORD,
  sessionCookies,
  signUp,
  uniqueEmail,
} from './helpers';
import { CHIRPS_PAGE_SIZE, E2E_BASE_URL, POLKA_KEY } from './settings';

/**
 * The timeline in a browser: posting and deleting with JavaScript on (no page load) and off
 * (plain form posts), and what a signed-out visitor may read, which never includes an address.
 */

function composer(page: Page): Locator {
  return page.getByRole('textbox', { name: 'New chirp' });
}

function chirpItems(page: Page): Locator {
  return page.locator('[data-testid=timeline] > li');
}

function chirpItem(page: Page, body: string): Locator {
  return chirpItems(page).filter({ hasText: body });
}

function deleteButton(item: Locator): Locator {
  return item.getByRole('button', { name: 'Delete', exact: true });
}

/** Marks the document; a full page load replaces it and the mark is gone. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => document.documentElement.setAttribute('data-e2e-mark', 'still-here'));
}

async function expectSameDocument(page: Page): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('data-e2e-mark', 'still-here');
}

async function noScriptPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ baseURL: E2E_BASE_URL, javaScriptEnabled: false });
  return context.newPage();
}

test('with JavaScript: a live counter, then posting and deleting without a page load', async ({ page, request }) => {
  const other = await apiAuthor(request, 'someone-else');
  const othersBody = `Not yours to delete ${randomUUID()}`;
  await apiChirp(request, other, othersBody);
  const email = await signUp(page, 'compose-js');
  const body = `Hello from a script ${randomUUID()}`;

  // The counter appears once the page is hydrated, and counts characters as a person does.
  await expect(page.getByTestId('chirp-count')).toHaveText('140 characters left');
  await composer(page).fill('🐦'.repeat(10));
  await expect(page.getByTestId('chirp-count')).toHaveText('130 characters left');
  await composer(page).fill('x'.repeat(139));
  await expect(page.getByTestId('chirp-count')).toHaveText('1 character left');
  await expect(page.getByRole('button', { name: 'Chirp' })).toBeEnabled();
  await composer(page).fill('x'.repeat(143));
  await expect(page.getByTestId('chirp-count')).toHaveText('3 characters over the limit');
  await expect(page.getByRole('button', { name: 'Chirp' })).toBeDisabled();

  await markDocument(page);
  await composer(page).fill(body);
  await page.getByRole('button', { name: 'Chirp' }).click();

  const item = chirpItem(page, body);
  await expect(item).toBeVisible();
  await expect(composer(page)).toHaveValue('');
  await expect(page.getByTestId('chirp-count')).toHaveText('140 characters left');
  await expect(item.getByRole('link', { name: authorName(email), exact: true })).toBeVisible();
  await expect(item.locator('time')).toHaveText(/^(just now|\d+ min ago)$/);
  await expectSameDocument(page);

  await expect(deleteButton(chirpItem(page, othersBody))).toHaveCount(0);

  // Delete only asks, in the page itself: no request, the focus on the answer that deletes.
  const posts: string[] = [];
  page.on('request', (sent) => {
    if (sent.method() === 'POST') posts.push(sent.url());
  });
  await deleteButton(item).click();
  await expect(item.getByText('Delete this chirp for good?')).toBeVisible();
  await expect(item.getByRole('button', { name: 'Yes, delete' })).toBeFocused();
  await item.getByRole('button', { name: 'Cancel' }).click();
  await expect(item.getByText('Delete this chirp for good?')).toHaveCount(0);
  await expect(deleteButton(item)).toBeFocused();
  expect(posts).toEqual([]);

  await deleteButton(item).click();
  await item.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(chirpItem(page, body)).toHaveCount(0);
  await expect(chirpItem(page, othersBody)).toBeVisible();
  await expectSameDocument(page);
  expect(JSON.stringify(await (await request.get('/api/chirps')).json())).not.toContain(body);
});

test('without JavaScript: sign up, post, see a refusal, delete, sign out and sign in again', async ({ browser }) => {
  const page = await noScriptPage(browser);
  try {
    const email = uniqueEmail('no-script');
    await page.goto('/signup');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expectSignedIn(page, email);
    await expect(page.getByTestId('chirp-count')).toHaveCount(0);

    const body = `Hello without scripts ${randomUUID()}`;
    await composer(page).fill(body);
    await page.getByRole('button', { name: 'Chirp' }).click();
    await expect(chirpItem(page, body)).toBeVisible();
    await expect(composer(page)).toHaveValue('');
    // Without a script the time stays as the server wrote it, in UTC.
    await expect(chirpItem(page, body).locator('time')).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);

    const tooLong = 'y'.repeat(141);
    await composer(page).fill(tooLong);
    await page.getByRole('button', { name: 'Chirp' }).click();
    await expect(page.locator('form').getByRole('alert')).toHaveText('Chirp is too long (max 140 characters)');
    await expect(composer(page)).toHaveValue(tooLong);

    // Delete asks through the server: the question comes back beside this chirp only.
    const item = chirpItem(page, body);
    await deleteButton(item).click();
    await expect(item.getByText('Delete this chirp for good?')).toBeVisible();
    await expect(page.getByText('Delete this chirp for good?')).toHaveCount(1);
    await item.getByRole('button', { name: 'Cancel' }).click();
    await expect(item.getByText('Delete this chirp for good?')).toHaveCount(0);
    await expect(deleteButton(item)).toBeVisible();

    await deleteButton(item).click();
    await item.getByRole('button', { name: 'Yes, delete' }).click();
    await expect(page.getByTestId('signed-in-email')).toHaveText(email);
    await expect(chirpItem(page, body)).toHaveCount(0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL((url) => url.pathname === '/login');
    expect(await sessionCookies(page.context())).toEqual([]);

    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.locator('form').getByRole('alert')).toHaveText('Incorrect email or password');
    await expect(page.getByLabel('Email')).toHaveValue(email);
    expect(await sessionCookies(page.context())).toEqual([]);

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectSignedIn(page, email);
  } finally {
    await page.context().close();
  }
});

test('a signed-out visitor reads the timeline: names without addresses, a Sign in link, no composer', async ({
  browser,
  request,
}) => {
  const author = await apiAuthor(request, 'visible-author');
  const body = `Public words ${randomUUID()}`;
  await apiChirp(request, author, body);
  const context = await browser.newContext({ baseURL: E2E_BASE_URL, timezoneId: 'Asia/Tokyo', locale: 'en-US' });
  const page = await context.newPage();
  try {
    await page.goto('/');
    await expect(page).toHaveURL((url) => url.pathname === '/');
    await expectSignedOut(page);
    await expect(page.locator('main').getByRole('link', { name: 'Sign in' })).toBeVisible();
    await expect(composer(page)).toHaveCount(0);

    const item = chirpItem(page, body);
    await expect(item).toBeVisible();
    await expect(item.getByRole('link', { name: authorName(author.email), exact: true })).toBeVisible();
    await expect(deleteButton(item)).toHaveCount(0);
    for (const text of await chirpItems(page).allInnerTexts()) expect(text).not.toContain('@');
    expect(await page.content()).not.toContain(author.email);

    // The exact time on hover is the reader's local time (here Tokyo), not the server's.
    const time = item.locator('time');
    await expect(time).toHaveText(/^(just now|\d+ min ago)$/);
    const iso = await time.getAttribute('datetime');
    const tokyo = await page.evaluate(
      (instant) =>
        new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Asia/Tokyo' }).format(
          new Date(instant ?? ''),
        ),
      iso,
    );
    await expect(time).toHaveAttribute('title', tokyo);

    await item.getByRole('link', { name: authorName(author.email), exact: true }).click();
    await expect(page).toHaveURL((url) => url.pathname === `/users/${author.id}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(authorName(author.email));
    await expect(chirpItem(page, body)).toBeVisible();
    expect(await page.content()).not.toContain(author.email);
  } finally {
    await context.close();
  }
});

test('Chirpy Red authors carry the badge, others do not', async ({ page, request }) => {
  const red = await apiAuthor(request, 'red');
  const plain = await apiAuthor(request, 'plain');
  const redBody = `Upgraded ${randomUUID()}`;
  const plainBody = `Not upgraded ${randomUUID()}`;
  await apiChirp(request, red, redBody);
  await apiChirp(request, plain, plainBody);
  const upgrade = await request.post('/api/polka/webhooks', {
    headers: { Authorization: `ApiKey ${POLKA_KEY}` },
    data: { event: 'user.upgraded', data: { user_id: red.id } },
  });
  expect(upgrade.status()).toBe(204);

  await page.goto('/');
  await expect(chirpItem(page, redBody).getByText('Chirpy Red', { exact: true })).toBeVisible();
  await expect(chirpItem(page, plainBody).getByText('Chirpy Red', { exact: true })).toHaveCount(0);
});

test('"Older chirps" pages through an author, newest first, each chirp once', async ({ page, request }) => {
  const author = await apiAuthor(request, 'prolific');
  const bodies = Array.from({ length: CHIRPS_PAGE_SIZE + 2 }, (_, i) => `Number ${i} ${randomUUID()}`);
  for (const body of bodies) await apiChirp(request, author, body);

  await page.goto(`/users/${author.id}`);
  const seen: string[] = [];
  for (;;) {
    const items = chirpItems(page).locator('p');
    seen.push(...(await items.allInnerTexts()));
    const older = page.getByRole('link', { name: 'Older chirps' });
    if ((await older.count()) === 0) break;
    await older.click();
    await expect(page).toHaveURL(/cursor=/);
  }
  expect(seen).toEqual([...bodies].reverse());
});
