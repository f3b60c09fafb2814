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
  SESSION_ACCESS_TTL_SECONDS: integer(300, 1, 24 * 60 * 60),
  REFRESH_REUSE_GRACE_SECONDS: integer(30, 0, 10 * 60),
  SESSION_IDLE_TIMEOUT_DAYS: integer(7, 1, 60),
  CHIRPS_PAGE_SIZE: integer(50, 1, MAX_CHIRPS_PAGE_LIMIT),
});

export type Settings = z.infer<typeof settingsSchema>;

/** Blank values count as unset, the way `FOO= npm run dev` reads to a person. */
export function present(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

export function getSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = settingsSchema.safeParse({
    BCRYPT_COST: present(env.BCRYPT_COST),
    SESSION_ACCESS_TTL_SECONDS: present(env.SESSION_ACCESS_TTL_SECONDS),
    REFRESH_REUSE_GRACE_SECONDS: present(env.REFRESH_REUSE_GRACE_SECONDS),
    SESSION_IDLE_TIMEOUT_DAYS: present(env.SESSION_IDLE_TIMEOUT_DAYS),
    CHIRPS_PAGE_SIZE: present(env.CHIRPS_PAGE_SIZE),
  });
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new Error(`Invalid configuration: check ${fields} (see the README's environment table).`);
  }
  return parsed.data;
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
