import { expect, type Page, test } from '@playwright/test';
import { signUp } from './helpers';

const PHONE_WIDTH = 375;

async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth).toBeLessThanOrEqual(PHONE_WIDTH);
}

for (const path of ['/login', '/signup']) {
  test(`${path}: every input has a visible label`, async ({ page }) => {
    await page.goto(path);
    await expect(page.getByLabel('Email')).toBeVisible();
    await expect(page.getByLabel('Password')).toBeVisible();
    await expect(page.getByText('Email', { exact: true })).toBeVisible();
    await expect(page.getByText('Password', { exact: true })).toBeVisible();
  });
}

test.describe('on a 375-pixel-wide phone', () => {
  test.use({ viewport: { width: PHONE_WIDTH, height: 740 } });

  for (const path of ['/login', '/signup']) {
    test(`${path} fits without horizontal scrolling`, async ({ page }) => {
      await page.goto(path);
      await expect(page.getByLabel('Email')).toBeVisible();
      await expectNoHorizontalScroll(page);
      const box = await page.getByRole('button', { name: /^Sign (in|up)$/ }).boundingBox();
      expect(box?.x).toBeGreaterThanOrEqual(0);
      expect((box?.x ?? Number.POSITIVE_INFINITY) + (box?.width ?? 0)).toBeLessThanOrEqual(PHONE_WIDTH);
    });
  }

  test('the home page fits without horizontal scrolling', async ({ page }) => {
    await signUp(page, 'a-rather-long-address-for-a-small-screen');
    await expectNoHorizontalScroll(page);
  });
});
