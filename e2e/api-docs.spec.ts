import { expect, test } from '@playwright/test';
import { E2E_BASE_URL } from './settings';

/**
 * /docs/api renders the OpenAPI document with Swagger UI served from our own origin: it must work
 * with no network beyond this server, and under its Content-Security-Policy without a violation.
 */

type Violation = { directive: string; blocked: string };

test('the API reference renders every operation offline, within its content security policy', async ({ page }) => {
  await page.addInitScript(() => {
    const seen: Array<{ directive: string; blocked: string }> = [];
    Reflect.set(window, '__cspViolations', seen);
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push({ directive: event.violatedDirective, blocked: event.blockedURI });
    });
  });
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  const origins = new Set<string>();
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:') origins.add(url.origin);
  });

  const response = await page.goto('/docs/api');
  expect(response?.status()).toBe(200);
  const policy = response?.headers()['content-security-policy'] ?? '';
  expect(policy).toContain("script-src 'self'");
  expect(policy).not.toContain('nonce-');
  expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);

  const login = page.locator('.opblock-post').filter({ has: page.locator('[data-path="/api/login"]') });
  await expect(login).toBeVisible();
  await expect(page.locator('.opblock-get [data-path="/api/openapi.json"]')).toBeVisible();
  // Opening an operation renders its schemas: more of the renderer, still within the policy.
  await login.locator('.opblock-summary-control').click();
  await expect(login.locator('.opblock-body')).toBeVisible();

  const violations: Violation[] = await page.evaluate(() => Reflect.get(window, '__cspViolations'));
  expect(violations).toEqual([]);
  expect(consoleErrors.filter((text) => /content security policy/i.test(text))).toEqual([]);
  expect([...origins]).toEqual([E2E_BASE_URL]);
});
