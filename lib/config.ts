import 'server-only';
import { z } from 'zod';

/**
 * Every environment variable Chirpy reads, parsed in one place. Values are read on each call
 * (they are cheap) so tests can change them; anything expensive derived from them (the JWT key)
 * is cached by its consumer.
 */

/** The most chirps one page may hold: part of the API contract (`limit` is 1–100), not a setting. */
export const MAX_CHIRPS_PAGE_LIMIT = 100;

const integer = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const MINUTE = 60;
const HOUR = 60 * MINUTE;

/** A rate limit's most hits in one window. */
const hitLimit = (fallback: number) => integer(fallback, 1, 1_000_000);

/** A rate limit's window, in seconds: a day at the most. */
const windowLength = (fallback: number) => integer(fallback, 1, 24 * HOUR);

/** On or off: `true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off`, in any case. */
const flag = (fallback: boolean) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', '1', 'yes', 'on', 'false', '0', 'no', 'off']))
    .transform((word) => ['true', '1', 'yes', 'on'].includes(word))
    .default(fallback);

const settingsSchema = z.object({
  BCRYPT_COST: integer(10, 4, 15),
  PASSWORD_HASH_CONCURRENCY: integer(2, 1, 16),
  PASSWORD_HASH_QUEUE_MAX: integer(64, 0, 10_000),
  SESSION_ACCESS_TTL_SECONDS: integer(300, 1, 24 * 60 * 60),
  REFRESH_REUSE_GRACE_SECONDS: integer(30, 0, 10 * 60),
  SESSION_IDLE_TIMEOUT_DAYS: integer(7, 1, 60),
  RATE_LIMIT_LOGIN_IP_MAX: hitLimit(50),
  RATE_LIMIT_LOGIN_IP_WINDOW_SECONDS: windowLength(15 * MINUTE),
  RATE_LIMIT_LOGIN_ACCOUNT_MAX: hitLimit(10),
  RATE_LIMIT_LOGIN_ACCOUNT_WINDOW_SECONDS: windowLength(15 * MINUTE),
  RATE_LIMIT_LOGIN_FAILED_MAX: hitLimit(100),
  RATE_LIMIT_LOGIN_FAILED_WINDOW_SECONDS: windowLength(HOUR),
  RATE_LIMIT_SIGNUP_IP_MAX: hitLimit(10),
  RATE_LIMIT_SIGNUP_IP_WINDOW_SECONDS: windowLength(HOUR),
  RATE_LIMIT_REFRESH_MAX: hitLimit(120),
  RATE_LIMIT_REFRESH_WINDOW_SECONDS: windowLength(MINUTE),
  RATE_LIMIT_ROTATION_MAX: hitLimit(120),
  RATE_LIMIT_ROTATION_WINDOW_SECONDS: windowLength(MINUTE),
  RATE_LIMIT_RESET_IP_MAX: hitLimit(20),
  RATE_LIMIT_RESET_IP_WINDOW_SECONDS: windowLength(HOUR),
  RATE_LIMIT_RESET_EMAIL_MAX: hitLimit(3),
  RATE_LIMIT_RESET_EMAIL_WINDOW_SECONDS: windowLength(HOUR),
  RATE_LIMIT_RESET_CONFIRM_MAX: hitLimit(20),
  RATE_LIMIT_RESET_CONFIRM_WINDOW_SECONDS: windowLength(15 * MINUTE),
  RATE_LIMIT_SECOND_FACTOR_MAX: hitLimit(10),
  RATE_LIMIT_SECOND_FACTOR_WINDOW_SECONDS: windowLength(15 * MINUTE),
  RATE_LIMIT_PASSKEY_OPTIONS_MAX: hitLimit(300),
  RATE_LIMIT_PASSKEY_OPTIONS_WINDOW_SECONDS: windowLength(15 * MINUTE),
  // Shorter than /32 would put a whole provider's customers in one bucket.
  RATE_LIMIT_IPV6_PREFIX: integer(64, 32, 128),
  PASSWORD_RESET_TTL_MINUTES: integer(30, 1, 24 * 60),
  REQUIRE_EMAIL_VERIFICATION: flag(false),
  EMAIL_VERIFICATION_TTL_HOURS: integer(24, 1, 30 * 24),
  EMAIL_REVERT_TTL_DAYS: integer(7, 1, 90),
  RATE_LIMIT_VERIFY_IP_MAX: hitLimit(20),
  RATE_LIMIT_VERIFY_IP_WINDOW_SECONDS: windowLength(HOUR),
  RATE_LIMIT_VERIFY_EMAIL_MAX: hitLimit(3),
  RATE_LIMIT_VERIFY_EMAIL_WINDOW_SECONDS: windowLength(HOUR),
  RATE_LIMIT_VERIFY_CONFIRM_MAX: hitLimit(20),
  RATE_LIMIT_VERIFY_CONFIRM_WINDOW_SECONDS: windowLength(15 * MINUTE),
  SMTP_TIMEOUT_SECONDS: integer(10, 1, 120),
  CHIRPS_PAGE_SIZE: integer(50, 1, MAX_CHIRPS_PAGE_LIMIT),
  DATABASE_POOL_MAX: integer(10, 1, 200),
  DATABASE_CONNECT_TIMEOUT_MS: integer(5_000, 100, 120_000),
  DATABASE_QUERY_TIMEOUT_MS: integer(5_000, 100, 600_000),
  DATABASE_PREPARED_STATEMENTS: flag(true),
});

const SETTING_NAMES = settingsSchema.keyof().options;

export type Settings = z.infer<typeof settingsSchema>;

/** Blank values count as unset, the way `FOO= npm run dev` reads to a person. */
export function present(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

// The hot paths (every session check, rotation and limit) ask for the settings several times a
// request. In production the environment is fixed for the life of the process, so its first
// reading is kept, rather than reading and comparing every variable again on each call. Elsewhere
// (tests change values with vi.stubEnv) the last parse is reused only while the raw values are the same.
let lastParsed: { raw: string; settings: Settings } | undefined;
let production: Settings | undefined;

export function getSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const fixed = env === process.env && process.env.NODE_ENV === 'production';
  if (fixed && production !== undefined) return production;
  const values = SETTING_NAMES.map((name) => present(env[name]));
  const raw = values.map((value) => value ?? '\u0001').join('\u0000');
  if (lastParsed?.raw !== raw) {
    const parsed = settingsSchema.safeParse(Object.fromEntries(SETTING_NAMES.map((name, i) => [name, values[i]])));
    if (!parsed.success) throw invalidConfiguration(parsed.error);
    lastParsed = { raw, settings: Object.freeze(parsed.data) };
  }
  if (fixed) production = lastParsed.settings;
  return lastParsed.settings;
}

/** Tests: each starts from the environment it configures, production's first reading included. */
export function forgetSettings(): void {
  lastParsed = undefined;
  production = undefined;
}

function invalidConfiguration(error: z.ZodError): Error {
  const fields = error.issues.map((issue) => issue.path.join('.')).join(', ');
  return new Error(`Invalid configuration: check ${fields} (see docs/configuration.md, "Environment variables").`);
}

const cleanupSchema = z.object({
  REFRESH_TOKEN_RETENTION_DAYS: integer(30, 1, 3650),
  RATE_LIMIT_RETENTION_HOURS: integer(24, 1, 24 * 365),
  AUDIT_RETENTION_DAYS: integer(90, 1, 3650),
  CLEANUP_BATCH_SIZE: integer(5000, 1, 100_000),
});

export type CleanupSettings = z.infer<typeof cleanupSchema>;

/** Housekeeping (lib/housekeeping.ts): how long rows are kept, and how many go per statement. */
export function getCleanupSettings(env: NodeJS.ProcessEnv = process.env): CleanupSettings {
  const parsed = cleanupSchema.safeParse({
    REFRESH_TOKEN_RETENTION_DAYS: present(env.REFRESH_TOKEN_RETENTION_DAYS),
    RATE_LIMIT_RETENTION_HOURS: present(env.RATE_LIMIT_RETENTION_HOURS),
    AUDIT_RETENTION_DAYS: present(env.AUDIT_RETENTION_DAYS),
    CLEANUP_BATCH_SIZE: present(env.CLEANUP_BATCH_SIZE),
  });
  if (!parsed.success) throw invalidConfiguration(parsed.error);
  return parsed.data;
}

/** The cron route's secret (Vercel sends it as `Authorization: Bearer …`); unset: the route is closed. */
export function getCronSecret(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return present(env.CRON_SECRET);
}

/**
 * The rate limits: fixed windows counted in Postgres (lib/rate-limit.ts). The defaults stop
 * password guessing and floods without a person ever meeting them: ten sign-ins to one account
 * from one address in 15 minutes is more than anyone types. `login_account_failures` is the
 * ceiling for guesses spread over many addresses: failed sign-ins at one account from anywhere.
 * `second_factor` counts wrong codes at one account from anywhere, over all its pending steps:
 * whoever holds the password gets ten guesses at a million codes per window, not five per step
 * times as many steps as the password limits allow.
 * `passkey_options` bounds the passkey challenges one address can have stored (the sign-in page
 * asks for one on every visit, for the browser's autofill, so it is generous).
 */
export const RATE_LIMIT_RULES = [
  'login_ip',
  'login_account',
  'login_account_failures',
  'signup_ip',
  'bearer_refresh',
  'cookie_rotation',
  'reset_ip',
  'reset_email',
  'reset_confirm',
  'verify_ip',
  'verify_email',
  'verify_confirm',
  'second_factor',
  'passkey_options',
] as const;
export type RateLimitRule = (typeof RATE_LIMIT_RULES)[number];
export type RateLimitSetting = { limit: number; windowSeconds: number };

/** The two settings of each rule: how many hits a window allows, and how long a window lasts. */
const RATE_LIMIT_SETTINGS = {
  login_ip: ['RATE_LIMIT_LOGIN_IP_MAX', 'RATE_LIMIT_LOGIN_IP_WINDOW_SECONDS'],
  login_account: ['RATE_LIMIT_LOGIN_ACCOUNT_MAX', 'RATE_LIMIT_LOGIN_ACCOUNT_WINDOW_SECONDS'],
  login_account_failures: ['RATE_LIMIT_LOGIN_FAILED_MAX', 'RATE_LIMIT_LOGIN_FAILED_WINDOW_SECONDS'],
  signup_ip: ['RATE_LIMIT_SIGNUP_IP_MAX', 'RATE_LIMIT_SIGNUP_IP_WINDOW_SECONDS'],
  bearer_refresh: ['RATE_LIMIT_REFRESH_MAX', 'RATE_LIMIT_REFRESH_WINDOW_SECONDS'],
  cookie_rotation: ['RATE_LIMIT_ROTATION_MAX', 'RATE_LIMIT_ROTATION_WINDOW_SECONDS'],
  reset_ip: ['RATE_LIMIT_RESET_IP_MAX', 'RATE_LIMIT_RESET_IP_WINDOW_SECONDS'],
  reset_email: ['RATE_LIMIT_RESET_EMAIL_MAX', 'RATE_LIMIT_RESET_EMAIL_WINDOW_SECONDS'],
  reset_confirm: ['RATE_LIMIT_RESET_CONFIRM_MAX', 'RATE_LIMIT_RESET_CONFIRM_WINDOW_SECONDS'],
  verify_ip: ['RATE_LIMIT_VERIFY_IP_MAX', 'RATE_LIMIT_VERIFY_IP_WINDOW_SECONDS'],
  verify_email: ['RATE_LIMIT_VERIFY_EMAIL_MAX', 'RATE_LIMIT_VERIFY_EMAIL_WINDOW_SECONDS'],
  verify_confirm: ['RATE_LIMIT_VERIFY_CONFIRM_MAX', 'RATE_LIMIT_VERIFY_CONFIRM_WINDOW_SECONDS'],
  second_factor: ['RATE_LIMIT_SECOND_FACTOR_MAX', 'RATE_LIMIT_SECOND_FACTOR_WINDOW_SECONDS'],
  passkey_options: ['RATE_LIMIT_PASSKEY_OPTIONS_MAX', 'RATE_LIMIT_PASSKEY_OPTIONS_WINDOW_SECONDS'],
} as const satisfies Record<RateLimitRule, readonly [keyof Settings, keyof Settings]>;

export function getRateLimit(rule: RateLimitRule, env: NodeJS.ProcessEnv = process.env): RateLimitSetting {
  const settings = getSettings(env);
  const [limit, windowSeconds] = RATE_LIMIT_SETTINGS[rule];
  return { limit: settings[limit], windowSeconds: settings[windowSeconds] };
}

// URL.parse arrived in Node.js 20.18; engines allows any 20.x.
function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

const FLAG_WORDS = new Map([
  ['true', true],
  ['1', true],
  ['yes', true],
  ['on', true],
  ['false', false],
  ['0', false],
  ['no', false],
  ['off', false],
]);

/** PASSWORD_RESET_ENABLED: on unless switched off (`false`, `0`, `no`, `off`). */
export function isPasswordResetEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const word = present(env.PASSWORD_RESET_ENABLED)?.trim().toLowerCase();
  if (word === undefined) return true;
  const flag = FLAG_WORDS.get(word);
  if (flag === undefined) {
    throw new Error('Invalid configuration: check PASSWORD_RESET_ENABLED (true or false; see docs/configuration.md).');
  }
  return flag;
}

/**
 * APP_URL: the site's public origin, which links in mails point at. A link built from the
 * request's Host would let anyone who can send a request with a forged Host (or X-Forwarded-Host)
 * get a victim's reset link pointed at a host of their own: so production takes it from here only.
 */
export function getAppOrigin(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = present(env.APP_URL)?.trim();
  if (value === undefined) return undefined;
  const url = parseUrl(value);
  const isOrigin = url !== null && (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash;
  if (!isOrigin || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) {
    throw new Error(
      "Invalid configuration: check APP_URL (the site's origin, like https://chirpy.example.com; see docs/configuration.md).",
    );
  }
  return url.origin;
}

/** Who passkeys belong to: the domain they are bound to (RP ID), and the origin pages run on. */
export type RelyingParty = { id: string; origin: string };

function invalidRelyingParty(): Error {
  return new Error(
    'Invalid configuration: check WEBAUTHN_RP_ID and WEBAUTHN_ORIGIN (an origin like https://chirpy.example.com, ' +
      'and its host or a parent domain of it; see docs/configuration.md).',
  );
}

/**
 * The passkeys' relying party: WEBAUTHN_ORIGIN and WEBAUTHN_RP_ID, each defaulting from APP_URL
 * (its origin, its host). Only under `next dev`, with neither set, the origin the request was
 * addressed to (`requestOrigin`), so `npm run dev` works on localhost. Elsewhere the origin must
 * be configured: a passkey signed for whatever Host a request names would be a passkey for any
 * site. `null`: passkeys are unavailable. The RP ID must be the origin's host or a parent domain
 * of it (the browser refuses anything else).
 */
export function getRelyingParty(requestOrigin?: string, env: NodeJS.ProcessEnv = process.env): RelyingParty | null {
  const configured = present(env.WEBAUTHN_ORIGIN)?.trim();
  const fallback = isDevelopmentServer(env) ? requestOrigin : undefined;
  const originValue = configured ?? getAppOrigin(env) ?? fallback;
  if (originValue === undefined) return null;
  const origin = parseUrl(originValue);
  if (origin === null || (origin.protocol !== 'https:' && origin.protocol !== 'http:')) throw invalidRelyingParty();
  const id = present(env.WEBAUTHN_RP_ID)?.trim().toLowerCase() ?? origin.hostname;
  if (origin.hostname !== id && !origin.hostname.endsWith(`.${id}`)) throw invalidRelyingParty();
  return { id, origin: origin.origin };
}

export type MailSettings = {
  /** Unset: development prints each mail to the server's output instead of sending it. */
  smtpUrl: URL | undefined;
  from: string;
  timeoutSeconds: number;
};

// `Name <address>` or a bare address; the address itself is checked by zod.
const MAIL_FROM_FORMAT = /^(?:[^<>]*<([^<>\s]+)>|([^<>\s]+))$/;

/**
 * SMTP_URL (`smtp://user:password@host:587`, STARTTLS when the server offers it, or
 * `smtps://…:465`, TLS from the start) and MAIL_FROM. An error never quotes SMTP_URL: it holds
 * a password.
 */
export function getMailSettings(env: NodeJS.ProcessEnv = process.env): MailSettings {
  const smtpValue = present(env.SMTP_URL)?.trim();
  const smtpUrl = smtpValue === undefined ? undefined : parseUrl(smtpValue);
  if (smtpUrl === null || (smtpUrl && (!['smtp:', 'smtps:'].includes(smtpUrl.protocol) || !smtpUrl.hostname))) {
    throw new Error(
      'Invalid configuration: check SMTP_URL (smtp://user:password@host:587 or smtps://user:password@host:465; ' +
        'see docs/configuration.md).',
    );
  }
  const configuredFrom = present(env.MAIL_FROM)?.trim();
  if (configuredFrom !== undefined && !isSender(configuredFrom)) {
    throw new Error(
      'Invalid configuration: check MAIL_FROM (an address, or "Name <address>"; see docs/configuration.md).',
    );
  }
  const from = configuredFrom ?? defaultSender(env);
  return { smtpUrl, from, timeoutSeconds: getSettings(env).SMTP_TIMEOUT_SECONDS };
}

function isSender(value: string): boolean {
  const match = MAIL_FROM_FORMAT.exec(value);
  const address = match?.[1] ?? match?.[2];
  return address !== undefined && z.email().safeParse(address).success;
}

/** `Chirpy <no-reply@APP_URL's host>`, or `@localhost` in development without APP_URL. */
function defaultSender(env: NodeJS.ProcessEnv): string {
  const origin = getAppOrigin(env);
  const host = origin === undefined ? 'localhost' : new URL(origin).hostname;
  return `Chirpy <no-reply@${host}>`;
}

/**
 * What password resets need to work: a way to send mail, and the origin their links point at.
 * Only the development server prints mails to its output instead and lets links follow the
 * request's host, so `npm run dev` needs neither. Throws a sentence naming what to set.
 */
export function checkPasswordResetConfiguration(env: NodeJS.ProcessEnv = process.env): void {
  if (!isPasswordResetEnabled(env)) return;
  const mail = getMailSettings(env);
  const origin = getAppOrigin(env);
  if (isDevelopmentServer(env)) return;
  if (mail.smtpUrl === undefined) {
    throw new Error(
      'SMTP_URL is required while password resets are enabled (only `next dev` prints mails instead): Chirpy ' +
        'sends the reset links by mail. Set SMTP_URL (smtp://user:password@host:587 or smtps://…:465) and ' +
        'MAIL_FROM, or turn resets off with PASSWORD_RESET_ENABLED=false.',
    );
  }
  if (origin === undefined) {
    throw new Error(
      'APP_URL is required while password resets are enabled (only `next dev` takes links from the request): ' +
        'reset links must point at the site, never at whatever Host a request names. Set APP_URL to its origin ' +
        '(https://chirpy.example.com), or turn resets off with PASSWORD_RESET_ENABLED=false.',
    );
  }
}

/**
 * REQUIRE_EMAIL_VERIFICATION=true refuses sign-in to unconfirmed addresses: without mail nobody
 * could confirm one, so it needs what resets need. Throws a sentence naming what to set.
 */
export function checkEmailVerificationConfiguration(env: NodeJS.ProcessEnv = process.env): void {
  if (!getSettings(env).REQUIRE_EMAIL_VERIFICATION || isDevelopmentServer(env)) return;
  if (getMailSettings(env).smtpUrl === undefined || getAppOrigin(env) === undefined) {
    throw new Error(
      'REQUIRE_EMAIL_VERIFICATION=true needs SMTP_URL and APP_URL: nobody could confirm an address without the ' +
        'mailed link. Set both, or leave REQUIRE_EMAIL_VERIFICATION unset (false).',
    );
  }
}

/**
 * Running under `next dev`, the only place for development's conveniences: mails printed to the
 * output, links built from the request's host, a JWT secret made up and kept in the data folder,
 * eval in the pages' script policy. Everything else (`next start`, scripts, the tests) is held to
 * production's rules, whatever NODE_ENV says: NODE_ENV=staging or test must not print a reset
 * link into a server's log. `next dev` marks its server's environment with __NEXT_DEV_SERVER=1
 * (next/dist/cli/next-dev.js, and `next({ dev: true })`); `next start` never does, while NODE_ENV
 * is whatever the operator set (Next only fills it in when unset). Should a Next release drop the
 * mark, `npm run dev` stops at start asking for JWT_SECRET: loud, never a production server that
 * prints links.
 */
export function isDevelopmentServer(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.__NEXT_DEV_SERVER === '1';
}

export const ACCESS_TOKEN_TTL_SECONDS = 60 * 60;
export const REFRESH_TOKEN_TTL_DAYS = 60;
export const MAX_JSON_BODY_BYTES = 64 * 1024;

export function isDevPlatform(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.PLATFORM === 'dev';
}

export function getPolkaKey(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return present(env.POLKA_KEY);
}

/**
 * Which forwarded headers to believe (TRUST_PROXY): `none` (a bare `next start`: the socket is
 * the truth), `vercel` (the platform overwrites them), or the number of proxies in front that
 * append to X-Forwarded-For and set X-Forwarded-Host/-Proto. Unset: `vercel` on Vercel, else `none`.
 */
export type ProxyTrust = { kind: 'none' } | { kind: 'vercel' } | { kind: 'hops'; hops: number };

export function getProxyTrust(env: NodeJS.ProcessEnv = process.env): ProxyTrust {
  const value = present(env.TRUST_PROXY)?.trim().toLowerCase();
  if (value === undefined) return present(env.VERCEL) ? { kind: 'vercel' } : { kind: 'none' };
  if (value === 'none' || value === '0') return { kind: 'none' };
  if (value === 'vercel') return { kind: 'vercel' };
  const hops = Number(value);
  if (Number.isInteger(hops) && hops >= 1 && hops <= 10) return { kind: 'hops', hops };
  throw new Error(
    'Invalid configuration: check TRUST_PROXY (none, vercel, or 1–10 proxies; see docs/configuration.md).',
  );
}

/** Where the embedded database and the development JWT secret live. `memory:` keeps nothing. */
export function getDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return present(env.CHIRPY_DATA_DIR) ?? '.data';
}

export const IN_MEMORY_DATA_DIR = 'memory:';
