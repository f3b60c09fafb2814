import 'server-only';
import { resolveJwtSecrets } from './auth/jwt-secret';
import { resolveSecretKeys } from './auth/secret-box';
import {
  checkEmailVerificationConfiguration,
  checkPasswordResetConfiguration,
  getCleanupSettings,
  getProxyTrust,
  getSettings,
} from './config';
import { getDb, selectDriver } from './db/client';
import { installBaselineHeaders } from './http/baseline-headers';
import { installPageOutageAnswers } from './http/page-boundary';
import { installPeerStamp } from './http/request-context';

/**
 * Configuration mistakes stop the server at start-up with a sentence saying what to set,
 * rather than surfacing later as a 500 on someone's first login.
 */
export function checkConfiguration(env: NodeJS.ProcessEnv = process.env): void {
  resolveJwtSecrets(env);
  resolveSecretKeys(env);
  getSettings(env);
  getProxyTrust(env);
  getCleanupSettings(env);
  const selection = selectDriver(env);
  if (!selection.ok) throw new Error(selection.error);
  checkPasswordResetConfiguration(env);
  checkEmailVerificationConfiguration(env);
}

/**
 * The server's start (instrumentation.ts). The embedded database is opened here rather than on
 * the first request, so a second process on the same folder fails now, loudly. Next would log a
 * thrown error and go on serving 500s, so stop the process instead.
 */
export async function prepareServer(): Promise<void> {
  try {
    checkConfiguration();
    installPeerStamp();
    installBaselineHeaders();
    installPageOutageAnswers();
    const selection = selectDriver(process.env);
    if (selection.ok && selection.choice.driver === 'pglite') await getDb();
  } catch (error) {
    console.error(`Chirpy cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
