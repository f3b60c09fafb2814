import { type CDPSession, expect, type Page, test } from '@playwright/test';
import { expectOnLoginPage, expectSignedIn, PASSWORD, signUp } from './helpers';
import { E2E_PASSKEY_BASE_URL } from './settings';

/**
 * Passkeys in Chromium, with its virtual authenticator (the DevTools WebAuthn domain): a platform
 * authenticator that keeps discoverable credentials and verifies the user, so the browser runs
 * the real WebAuthn ceremonies against the production server.
 */

test.use({ baseURL: E2E_PASSKEY_BASE_URL });

type VirtualAuthenticator = { cdp: CDPSession; authenticatorId: string };

async function addVirtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

async function credentialCount({ cdp, authenticatorId }: VirtualAuthenticator): Promise<number> {
  return (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials.length;
}

async function signOut(page: Page): Promise<void> {
  await page.locator('header').getByRole('button', { name: 'Sign out' }).click();
  await expectOnLoginPage(page);
}

async function addPasskey(page: Page, name: string): Promise<void> {
  await page.goto('/account');
  const form = page.getByTestId('add-passkey');
  await form.getByLabel('Passkey name').fill(name);
  await form.getByLabel('Current password').fill(PASSWORD);
  await form.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(form.getByRole('status')).toHaveText('Your passkey is added. You can sign in with it now.');
}

/**
 * From here on the page's browser offers no passkey autofill, as some browsers do not: the
 * virtual authenticator answers an autofill request by itself, which would sign in before the
 * button is pressed.
 */
async function withoutPasskeyAutofill(page: Page): Promise<void> {
  await page.addInitScript(() => {
    Object.defineProperty(PublicKeyCredential, 'isConditionalMediationAvailable', { value: async () => false });
  });
}

test('register a passkey, sign out, sign in with it, remove it, and see sign-in with it refused', async ({ page }) => {
  // The pages' nonce policy must let the passkey scripts run and call our API, with nothing added.
  const policyErrors: string[] = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && /content security policy/i.test(message.text()))
      policyErrors.push(message.text());
  });
  const authenticator = await addVirtualAuthenticator(page);
  const email = await signUp(page, 'passkey');

  await addPasskey(page, 'Virtual key');
  const listed = page.getByTestId('passkey');
  await expect(listed.getByTestId('passkey-name')).toHaveText('Virtual key');
  await expect(listed).toContainText('last used never');
  expect(await credentialCount(authenticator)).toBe(1);

  // The sign-in page's autofill request: the browser offers the passkey, the authenticator answers.
  await page.locator('header').getByRole('button', { name: 'Sign out' }).click();
  await expectSignedIn(page, email);

  await withoutPasskeyAutofill(page);
  // Signing out goes to /login without a new document: this one must already be without it.
  await page.reload();
  await signOut(page);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expectSignedIn(page, email);

  await page.goto('/account');
  await expect(listed).not.toContainText('last used never');
  await listed.getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByTestId('passkeys')).toHaveCount(0);
  await expect(page.getByText('No passkeys yet.')).toBeVisible();

  await signOut(page);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'passkey' })).toHaveText(
    'That passkey was not accepted. Try again, or sign in with your password.',
  );
  await expectOnLoginPage(page);
  expect(await credentialCount(authenticator)).toBe(1);
  expect(policyErrors).toEqual([]);
});

test('a passkey stands in for the current password when changing the email, and can be renamed', async ({ page }) => {
  await addVirtualAuthenticator(page);
  await signUp(page, 'passkey-step-up');
  await addPasskey(page, 'Laptop');

  const passkey = page.getByTestId('passkey');
  await passkey.getByLabel('New name').fill('Work laptop');
  await passkey.getByRole('button', { name: 'Rename' }).click();
  await expect(passkey.getByTestId('passkey-name')).toHaveText('Work laptop');

  const newEmail = `stepped-up-${Date.now()}@example.com`;
  const form = page.getByTestId('change-email');
  await form.getByLabel('New email').fill(newEmail);
  await form.getByRole('button', { name: 'Change email, confirming with a passkey' }).click();
  await expect(form.getByRole('status')).toHaveText(
    'Your email is changed. Every other session is signed out; this one stays signed in.',
  );
  await expect(page.getByTestId('account-email')).toHaveText(newEmail);
});

test('the sign-in page offers passkeys in the email field, and both pages tell a reader without JavaScript', async ({
  page,
}) => {
  await page.goto('/login');
  await expect(page.getByLabel('Email')).toHaveAttribute('autocomplete', 'username webauthn');
  // A browser with scripts off shows <noscript>; Playwright's switch leaves the parser scripting,
  // so the notices are read from the pages as served.
  const login = await (await page.request.get('/login')).text();
  expect(login).toMatch(/<noscript>.*Signing in with a passkey needs JavaScript\..*<\/noscript>/s);
  await signUp(page, 'passkey-noscript');
  const account = await (await page.request.get('/account')).text();
  expect(account).toMatch(/<noscript>.*Passkeys need JavaScript.*<\/noscript>/s);
});
