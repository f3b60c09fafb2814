/**
 * What the end-to-end server is started with (playwright.config.ts) and what the specs rely on.
 * The lifetimes are short so the rotation specs can watch an access token expire and a grace
 * window close within a few seconds.
 */
export const E2E_PORT = 3100;
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`;

/**
 * A second server from the same build, with REQUIRE_EMAIL_VERIFICATION=true and a database of its
 * own, for the specs of that mode (e2e/email-verification.spec.ts): the setting is read once per
 * process, and every other spec runs with it unset.
 */
export const E2E_STRICT_PORT = 3101;
export const E2E_STRICT_BASE_URL = `http://127.0.0.1:${E2E_STRICT_PORT}`;

/**
 * The main server by name: a passkey's RP ID must be a domain, never an IP address, so the
 * passkey spec (and WEBAUTHN_ORIGIN, WEBAUTHN_RP_ID) use localhost.
 */
export const E2E_PASSKEY_BASE_URL = `http://localhost:${E2E_PORT}`;

export const ACCESS_TTL_SECONDS = 3;
export const REUSE_GRACE_SECONDS = 3;

/**
 * Added to every wait for an expiry. The browser drops the access cookie by its Max-Age, and the
 * grace window is measured on the server's clock from the rotation, which happened before the page
 * we wait on finished loading: both ends are wall-clock, so the margin covers rounding, not load.
 */
export const EXPIRY_MARGIN_MS = 1_500;

export const POLKA_KEY = 'e2e-polka-key';

/** Small, so a spec can fill a page of the timeline and follow "Older chirps" with a few posts. */
export const CHIRPS_PAGE_SIZE = 5;

/**
 * The SMTP server e2e/password-reset.spec.ts starts (test/mail-catcher.ts), on loopback, where the
 * end-to-end server's SMTP_URL points; the login is the catcher's.
 */
export const E2E_SMTP_PORT = 3125;
