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

const settingsSchema = z.object({
  BCRYPT_COST: integer(10, 4, 15),
  PASSWORD_HASH_CONCURRENCY: integer(2, 1, 16),
  SESSION_ACCESS_TTL_SECONDS: integer(300, 1, 24 * 60 * 60),
  REFRESH_REUSE_GRACE_SECONDS: integer(30, 0, 10 * 60),
  SESSION_IDLE_TIMEOUT_DAYS: integer(7, 1, 60),
  RATE_LIMIT_LOGIN_IP_MAX: integer(50, 1, 1_000_000),
  RATE_LIMIT_LOGIN_IP_WINDOW_SECONDS: integer(15 * 60, 1, 24 * 60 * 60),
  RATE_LIMIT_LOGIN_ACCOUNT_MAX: integer(10, 1, 1_000_000),
  RATE_LIMIT_LOGIN_ACCOUNT_WINDOW_SECONDS: integer(15 * 60, 1, 24 * 60 * 60),
  RATE_LIMIT_SIGNUP_IP_MAX: integer(10, 1, 1_000_000),
  RATE_LIMIT_SIGNUP_IP_WINDOW_SECONDS: integer(60 * 60, 1, 24 * 60 * 60),
  RATE_LIMIT_REFRESH_MAX: integer(120, 1, 1_000_000),
  RATE_LIMIT_REFRESH_WINDOW_SECONDS: integer(60, 1, 24 * 60 * 60),
  RATE_LIMIT_ROTATION_MAX: integer(120, 1, 1_000_000),
  RATE_LIMIT_ROTATION_WINDOW_SECONDS: integer(60, 1, 24 * 60 * 60),
  CHIRPS_PAGE_SIZE: integer(50, 1, MAX_CHIRPS_PAGE_LIMIT),
});

const SETTING_NAMES = settingsSchema.keyof().options;

export type Settings = z.infer<typeof settingsSchema>;

/** Blank values count as unset, the way `FOO= npm run dev` reads to a person. */
export function present(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

export function getSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = settingsSchema.safeParse(Object.fromEntries(SETTING_NAMES.map((name) => [name, present(env[name])])));
  if (!parsed.success) throw invalidConfiguration(parsed.error);
  return parsed.data;
}

function invalidConfiguration(error: z.ZodError): Error {
  const fields = error.issues.map((issue) => issue.path.join('.')).join(', ');
  return new Error(`Invalid configuration: check ${fields} (see the README's environment table).`);
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
 * from one address in 15 minutes is more than anyone types.
 */
export const RATE_LIMIT_RULES = [
  'login_ip',
  'login_account',
  'signup_ip',
  'bearer_refresh',
  'cookie_rotation',
] as const;
export type RateLimitRule = (typeof RATE_LIMIT_RULES)[number];
export type RateLimitSetting = { limit: number; windowSeconds: number };

export function getRateLimit(rule: RateLimitRule, env: NodeJS.ProcessEnv = process.env): RateLimitSetting {
  const settings = getSettings(env);
  switch (rule) {
    case 'login_ip':
      return { limit: settings.RATE_LIMIT_LOGIN_IP_MAX, windowSeconds: settings.RATE_LIMIT_LOGIN_IP_WINDOW_SECONDS };
    case 'login_account':
      return {
        limit: settings.RATE_LIMIT_LOGIN_ACCOUNT_MAX,
        windowSeconds: settings.RATE_LIMIT_LOGIN_ACCOUNT_WINDOW_SECONDS,
      };
    case 'signup_ip':
      return { limit: settings.RATE_LIMIT_SIGNUP_IP_MAX, windowSeconds: settings.RATE_LIMIT_SIGNUP_IP_WINDOW_SECONDS };
    case 'bearer_refresh':
      return { limit: settings.RATE_LIMIT_REFRESH_MAX, windowSeconds: settings.RATE_LIMIT_REFRESH_WINDOW_SECONDS };
    case 'cookie_rotation':
      return { limit: settings.RATE_LIMIT_ROTATION_MAX, windowSeconds: settings.RATE_LIMIT_ROTATION_WINDOW_SECONDS };
  }
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
  throw new Error('Invalid configuration: check TRUST_PROXY (none, vercel, or 1–10 proxies; see the README).');
}

/** Where the embedded database and the development JWT secret live. `memory:` keeps nothing. */
export function getDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return present(env.CHIRPY_DATA_DIR) ?? '.data';
}

export const IN_MEMORY_DATA_DIR = 'memory:';
