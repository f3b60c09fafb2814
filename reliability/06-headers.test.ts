import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_COOKIE, type Account, browserLogin, signUp } from './harness/accounts';
import { type Reply, send, serverFor } from './harness/client';
import { reportWhenDone } from './harness/part';

/**
 * The security headers, on every kind of response, and the pages' content security policy: a
 * script-src without 'unsafe-inline', a fresh nonce per page, and, in a real browser, pages that
 * run their scripts (they hydrate) with no CSP violation at all.
 */

let account: Account;
let browser: Browser;
const pagesVisited: string[] = [];
reportWhenDone('headers', () => ({ browserPages: pagesVisited.length }));

beforeAll(async () => {
  account = await signUp(serverFor(0), 'headers');
  const chromiumPath = '/usr/bin/chromium';
  browser = await chromium.launch({
    executablePath: existsSync(chromiumPath) ? chromiumPath : undefined,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
});

afterAll(async () => {
  await browser?.close();
});

function header(reply: Reply, name: string): string {
  const value = reply.headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

function expectSecurityHeaders(reply: Reply, label: string): void {
  expect(header(reply, 'x-content-type-options'), label).toBe('nosniff');
  expect(header(reply, 'referrer-policy'), label).toBe('strict-origin-when-cross-origin');
  expect(header(reply, 'content-security-policy'), label).toMatch(/frame-ancestors 'none'/);
  expect(header(reply, 'content-security-policy'), label).not.toMatch(/script-src[^;]*'unsafe-inline'/);
}

function nonceOf(reply: Reply): string | undefined {
  return /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)' 'strict-dynamic'/.exec(
    header(reply, 'content-security-policy'),
  )?.[1];
}

describe('security headers on every kind of response', () => {
  it('pages, API answers, errors, redirects, refusals, static files', async () => {
    const session = await browserLogin(serverFor(1), account);
    const page = await send(serverFor(0), { path: '/' });
    const script = /<script[^>]+src="(\/_next\/static\/[^"]+\.js)"/.exec(page.body)?.[1];
    const style = /<link[^>]+href="(\/_next\/static\/[^"]+\.css)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const replies: Array<[string, Reply]> = [
      ['the timeline', page],
      ['the signed-in timeline', await send(serverFor(1), { path: '/', cookies: { [ACCESS_COOKIE]: session.access } })],
      ['sign in', await send(serverFor(0), { path: '/login' })],
      ['sign up', await send(serverFor(1), { path: '/signup' })],
      ['an author', await send(serverFor(0), { path: `/users/${account.id}` })],
      [
        'an unknown author (404 page)',
        await send(serverFor(1), { path: '/users/00000000-0000-4000-8000-000000000000' }),
      ],
      ['no such page', await send(serverFor(0), { path: '/no-such-page' })],
      ['a redirect', await send(serverFor(1), { path: '/login', cookies: { [ACCESS_COOKIE]: session.access } })],
      ['an API answer', await send(serverFor(0), { path: '/api/healthz' })],
      ['an API 401', await send(serverFor(1), { path: '/api/me' })],
      ['an API 404', await send(serverFor(0), { path: '/api/no-such-route' })],
      [
        'a proxy refusal (CSRF)',
        await send(serverFor(1), { method: 'POST', path: '/', body: '', headers: { origin: 'https://evil.example' } }),
      ],
      ['a proxy refusal (malformed path)', await send(serverFor(0), { path: '/api/chirps/%zz' })],
      ['a script', await send(serverFor(1), { path: script ?? '/' })],
      ['a style sheet', await send(serverFor(0), { path: style ?? '/' })],
      ['the favicon', await send(serverFor(1), { path: '/favicon.ico' })],
    ];
    for (const [label, reply] of replies) expectSecurityHeaders(reply, `${label} (${reply.status})`);
    expect(replies.map(([, reply]) => reply.status)).toEqual([
      200, 200, 200, 200, 200, 404, 404, 307, 200, 401, 404, 403, 400, 200, 200, 200,
    ]);
  });

  it('each page gets a fresh nonce, and every inline script on it carries that nonce', async () => {
    const first = await send(serverFor(0), { path: '/login' });
    const second = await send(serverFor(0), { path: '/login' });
    const nonce = nonceOf(first);
    expect(nonce).toBeDefined();
    expect(nonceOf(second)).not.toBe(nonce);
    const scripts = [...first.body.matchAll(/<script\b([^>]*)>/g)].map((match) => match[1] ?? '');
    expect(scripts.length).toBeGreaterThan(2);
    for (const attributes of scripts) expect(attributes).toContain(`nonce="${nonce}"`);
  });
});

type Violation = { page: string; text: string };

/** Collects CSP violations two ways: the page's own events, and the console's reports. */
async function watch(page: Page, violations: Violation[]): Promise<void> {
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  page.on('console', (message) => {
    const text = message.text();
    if (/content security policy|CSP violation/i.test(text)) violations.push({ page: page.url(), text });
  });
  page.on('pageerror', (error) => violations.push({ page: page.url(), text: `page error: ${error.message}` }));
}

describe('in a real browser', () => {
  it('every page runs its scripts with no CSP violation, signed out and signed in', async () => {
    const violations: Violation[] = [];
    const origin = serverFor(0).url;
    const context = await browser.newContext({ baseURL: origin });
    const page = await context.newPage();
    await watch(page, violations);
    const visit = async (path: string) => {
      pagesVisited.push(path);
      const response = await page.goto(path);
      await page.waitForLoadState('networkidle');
      return response?.status();
    };

    for (const path of ['/', '/login', '/signup', `/users/${account.id}`, '/account', '/no-such-page'])
      await visit(path);
    expect(violations, 'CSP violations on the signed-out pages').toEqual([]);

    // Sign in through the form, with a hostile next: the browser must land on this site.
    await visit('/login?next=%2F.%2F%2Fevil.example');
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/' && url.origin === origin);
    // The composer's counter exists only once React has hydrated: the page's scripts ran.
    await page.getByLabel('New chirp').fill('written under a strict CSP');
    await expect.poll(() => page.getByTestId('chirp-count').textContent()).toContain('left');
    await page.getByRole('button', { name: 'Chirp' }).click();
    await expect
      .poll(() => page.locator('[data-testid=timeline] > li').first().textContent())
      .toContain('written under a strict CSP');

    for (const path of ['/', `/users/${account.id}`, '/account', '/signup', '/no-such-page']) await visit(path);
    expect(await page.getByTestId('signed-in-email').textContent()).toBe(account.email);
    await context.close();

    expect(violations).toEqual([]);
  });

  it('the forms still work with JavaScript off (the proxy reads a copy of each form post)', async () => {
    const violations: Violation[] = [];
    const context = await browser.newContext({ baseURL: serverFor(1).url, javaScriptEnabled: false });
    const page = await context.newPage();
    await watch(page, violations);
    pagesVisited.push('/login (no JavaScript)');
    await page.goto('/login');
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/');
    expect(await page.getByTestId('signed-in-email').textContent()).toBe(account.email);
    await page.getByLabel('New chirp').fill('posted without JavaScript');
    await page.getByRole('button', { name: 'Chirp' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('[data-testid=timeline] > li').first().textContent()).toContain(
      'posted without JavaScript',
    );
    await context.close();
    expect(violations).toEqual([]);
  });
});
