import 'server-only';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getDataDir, IN_MEMORY_DATA_DIR, isDevelopmentServer, present } from '../config';

export const MIN_SECRET_LENGTH = 32;

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

export type JwtSecrets = { current: string; previous: string | undefined };

function checkLength(name: string, value: string): string {
  if (value.length < MIN_SECRET_LENGTH) {
    throw new ConfigurationError(
      `${name} must be at least ${MIN_SECRET_LENGTH} characters; generate one with \`openssl rand -hex 32\`.`,
    );
  }
  return value;
}

// `next dev` only: a secret made once and kept beside the embedded database (in the file `name`),
// so sessions (and enrolled second factors) survive a restart of `npm run dev` without anyone
// having to set anything. Read once per file: every request verifies a token, and none of them
// should touch the disk.
function developmentSecret(env: NodeJS.ProcessEnv, name: string): string {
  const dataDir = getDataDir(env);
  if (dataDir === IN_MEMORY_DATA_DIR) return memorySecret(name);
  const file = join(dataDir, name);
  let secret = developmentSecrets.get(file);
  if (secret === undefined) {
    secret = readOrCreateSecret(dataDir, file);
    developmentSecrets.set(file, secret);
  }
  return secret;
}

const developmentSecrets = new Map<string, string>();

function readOrCreateSecret(dataDir: string, file: string): string {
  try {
    return checkLength(file, readFileSync(file, 'utf8').trim());
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  // 'wx': if another process created it first, read theirs instead of overwriting it.
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch {
    return checkLength(file, readFileSync(file, 'utf8').trim());
  }
}

const memorySecrets = new Map<string, string>();

function memorySecret(name: string): string {
  let secret = memorySecrets.get(name);
  if (secret === undefined) {
    secret = randomBytes(32).toString('hex');
    memorySecrets.set(name, secret);
  }
  return secret;
}

/**
 * A secret setting and its rotation partner, `name` and `name_PREVIOUS`, each at least
 * MIN_SECRET_LENGTH characters. Only the development server makes the current one up (in the data
 * folder's file `developmentFile`); anything else refuses to run without it, saying `missing`,
 * rather than invent one that each instance (or the next start) would disagree on.
 */
export function resolveRotatingSecret(
  env: NodeJS.ProcessEnv,
  name: string,
  developmentFile: string,
  missing: string,
): JwtSecrets {
  const configured = present(env[name]);
  const previousValue = present(env[`${name}_PREVIOUS`]);
  const previous = previousValue === undefined ? undefined : checkLength(`${name}_PREVIOUS`, previousValue);
  if (configured) return { current: checkLength(name, configured), previous };
  if (!isDevelopmentServer(env)) throw new ConfigurationError(missing);
  return { current: developmentSecret(env, developmentFile), previous };
}

/**
 * JWT_SECRET signs access tokens; JWT_SECRET_PREVIOUS (optional) is still accepted when
 * verifying, so a rotated secret does not sign everyone out at once.
 */
export function resolveJwtSecrets(env: NodeJS.ProcessEnv = process.env): JwtSecrets {
  return resolveRotatingSecret(
    env,
    'JWT_SECRET',
    'jwt-secret',
    'JWT_SECRET is required (only `next dev` makes one up). Chirpy will not start without it: set it to a ' +
      `random string of at least ${MIN_SECRET_LENGTH} characters (\`openssl rand -hex 32\`).`,
  );
}
