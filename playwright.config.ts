import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';
import {
  ACCESS_TTL_SECONDS,
  CHIRPS_PAGE_SIZE,
  E2E_BASE_URL,
  E2E_PASSKEY_BASE_URL,
  E2E_PORT,
  E2E_SMTP_PORT,
  E2E_STRICT_BASE_URL,
  E2E_STRICT_PORT,
  POLKA_KEY,
  REUSE_GRACE_SECONDS,
} from './e2e/settings';
import { CATCHER_PASSWORD, CATCHER_USER } from './test/mail-catcher';

/**
 * End-to-end and HTTP smoke tests against the production server (`next build` + `next start`) on
 * a fresh in-memory database. `E2E_SKIP_BUILD=1` starts the existing build, for CI runs that
 * built once already.
 */

const onCi = Boolean(process.env.CI);

// Debian's chromium when it is installed (Playwright cannot download browsers everywhere);
// otherwise the browser `npx playwright install chromium` fetched.
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const executablePath = existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined;

export default defineConfig({
  testDir: 'e2e',
  forbidOnly: onCi,
  // A flaky spec is a bug to fix, not to retry.
  retries: 0,
  // Two cores, and one server (and one database) shared by every spec.
  workers: 1,
  fullyParallel: false,
  timeout: 45_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: E2E_BASE_URL,
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath,
      // Without the background-networking flags Chromium keeps calling Google's services, which a
      // closed network refuses many times a second.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: [
    {
      command: process.env.E2E_SKIP_BUILD === '1' ? 'npm run start' : 'npm run build && npm run start',
      url: `${E2E_BASE_URL}/api/healthz`,
      // A build takes 30–60 s on two cores, and the in-memory database a few seconds more.
      timeout: 240_000,
      reuseExistingServer: !onCi,
      stdout: 'ignore',
      stderr: 'pipe',
      // Browsers take no IP address as a passkey's RP ID: the passkey spec runs on localhost.
      env: serverEnv(E2E_PORT, E2E_BASE_URL, { WEBAUTHN_RP_ID: 'localhost', WEBAUTHN_ORIGIN: E2E_PASSKEY_BASE_URL }),
    },
    {
      // The same build (the first entry builds it before this one starts), verification required.
      command: 'npm run start',
      url: `${E2E_STRICT_BASE_URL}/api/healthz`,
      timeout: 240_000,
      reuseExistingServer: !onCi,
      stdout: 'ignore',
      stderr: 'pipe',
      env: serverEnv(E2E_STRICT_PORT, E2E_STRICT_BASE_URL, { REQUIRE_EMAIL_VERIFICATION: 'true' }),
    },
  ],
});

function serverEnv(port: number, appUrl: string, extra: Record<string, string>): Record<string, string> {
  return {
    PORT: String(port),
    CHIRPY_DATA_DIR: 'memory:',
    JWT_SECRET: 'e2e-only-secret-that-is-at-least-32-characters-long',
    MFA_ENCRYPTION_KEY: 'e2e-only-mfa-key-that-is-at-least-32-characters-long',
    SESSION_ACCESS_TTL_SECONDS: String(ACCESS_TTL_SECONDS),
    REFRESH_REUSE_GRACE_SECONDS: String(REUSE_GRACE_SECONDS),
    POLKA_KEY,
    // Every spec signs up and signs in from 127.0.0.1, against one database for the whole run.
    RATE_LIMIT_SIGNUP_IP_MAX: '100000',
    RATE_LIMIT_LOGIN_IP_MAX: '100000',
    RATE_LIMIT_LOGIN_ACCOUNT_MAX: '100000',
    CHIRPS_PAGE_SIZE: String(CHIRPS_PAGE_SIZE),
    // Password resets: mail goes to the SMTP server the reset spec starts, and links point here.
    SMTP_URL: `smtp://${CATCHER_USER}:${CATCHER_PASSWORD}@127.0.0.1:${E2E_SMTP_PORT}`,
    MAIL_FROM: 'Chirpy <no-reply@chirpy.test>',
    APP_URL: appUrl,
    PLATFORM: '',
    DATABASE_URL: '',
    NEXT_TELEMETRY_DISABLED: '1',
    ...extra,
  };
}
