import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * PGlite gives no error when two processes open one data folder; both run and writes are lost.
 * A lock file holding the owner's pid turns that into a clear error for the second process.
 */

export class DatabaseLockedError extends Error {
  override name = 'DatabaseLockedError';
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

function readOwner(lockPath: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function tryCreate(lockPath: string): boolean {
  try {
    const fd = openSync(lockPath, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'EEXIST') return false;
    throw error;
  }
}

/** Takes the folder's lock for this process, or throws DatabaseLockedError naming the owner. */
export function lockDataFolder(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = join(dataDir, 'pglite.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(lockPath)) {
      process.once('exit', () => releaseLock(lockPath));
      return;
    }
    const owner = readOwner(lockPath);
    if (owner === process.pid) return;
    if (owner !== null && isRunning(owner)) {
      throw new DatabaseLockedError(
        `The embedded database in ${dataDir} is already open in another process (pid ${owner}), ` +
          'for example `npm run dev`. Stop that process first, or set DATABASE_URL to use Postgres. ' +
          `If no such process is running, delete ${lockPath}.`,
      );
    }
    // The owner died without cleaning up: the lock is stale.
    unlinkSync(lockPath);
  }
  throw new DatabaseLockedError(`Could not take the lock ${lockPath}; another process keeps taking it.`);
}

function releaseLock(lockPath: string): void {
  try {
    if (readOwner(lockPath) === process.pid) unlinkSync(lockPath);
  } catch {
    // Exiting anyway; a stale lock is detected by its dead pid next time.
  }
}
