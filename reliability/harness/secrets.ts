import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every secret the suite handles (tokens from responses and cookies, passwords it typed, the
 * hashes the database made of them, the servers' own secrets) is written to the run's folder, so
 * the leak check can look for each one in the servers' combined output.
 */
const SECRETS_FILE = 'secrets.txt';

// The shortest value worth looking for: anything shorter would match by chance.
const MIN_SECRET_LENGTH = 12;

export function recordSecrets(runDir: string, ...secrets: Array<string | null | undefined>): void {
  const lines = secrets.filter((secret): secret is string => typeof secret === 'string' && secret.length > 0);
  if (lines.length > 0) appendFileSync(join(runDir, SECRETS_FILE), `${lines.join('\n')}\n`);
}

export function readSecrets(runDir: string): Set<string> {
  const path = join(runDir, SECRETS_FILE);
  if (!existsSync(path)) return new Set();
  return new Set(
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.length >= MIN_SECRET_LENGTH),
  );
}

/** The servers' stdout and stderr, both instances, from their start to now. */
export function readServerOutput(runDir: string): string {
  return readdirSync(runDir)
    .filter((name) => name.startsWith('server-') && name.endsWith('.log'))
    .map((name) => readFileSync(join(runDir, name), 'utf8'))
    .join('\n');
}

export type Leak = { secret: string; context: string };

/** Each secret found in the output, with a little of what surrounds it (the secret itself masked). */
export function scanServerOutput(runDir: string): Leak[] {
  const output = readServerOutput(runDir);
  const leaks: Leak[] = [];
  for (const secret of readSecrets(runDir)) {
    const at = output.indexOf(secret);
    if (at === -1) continue;
    const context = output.slice(Math.max(0, at - 80), at + secret.length + 80).replace(secret, '<SECRET>');
    leaks.push({ secret: `${secret.slice(0, 6)}…(${secret.length} chars)`, context });
  }
  return leaks;
}
