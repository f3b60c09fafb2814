import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorOf } from '@/test/fixtures';
import { isDatabaseUnavailable } from './errors';
import { openPglite } from './pglite';
import { DatabaseLockedError, lockDataFolder } from './pglite-lock';

let dataDir: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'chirpy-lock-'));
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

const lockFile = () => join(dataDir, 'pglite.lock');

/** Another process, alive until the test ends: the owner of a lock we did not take. */
async function liveProcess(): Promise<number> {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(child);
  await once(child, 'spawn');
  if (child.pid === undefined) throw new Error('sleep did not start');
  return child.pid;
}

/** The pid of a process that has exited: a lock it left behind is stale. */
async function deadPid(): Promise<number> {
  const child = spawn('true', { stdio: 'ignore' });
  const pid = child.pid;
  await once(child, 'exit');
  if (pid === undefined) throw new Error('true did not start');
  return pid;
}

describe('lockDataFolder', () => {
  it('takes a free folder: the lock file holds this process id', () => {
    lockDataFolder(dataDir);

    expect(readFileSync(lockFile(), 'utf8')).toBe(String(process.pid));
  });

  it('lets the process that holds the lock open the folder again', () => {
    lockDataFolder(dataDir);

    expect(() => lockDataFolder(dataDir)).not.toThrow();
    expect(readFileSync(lockFile(), 'utf8')).toBe(String(process.pid));
  });

  it('refuses a folder locked by another live process, naming its pid, and leaves the lock alone', async () => {
    const owner = await liveProcess();
    writeFileSync(lockFile(), String(owner));

    const error = errorOf(() => lockDataFolder(dataDir));

    expect(error).toBeInstanceOf(DatabaseLockedError);
    expect(error).toHaveProperty('message', expect.stringContaining(`(pid ${owner})`));
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(readFileSync(lockFile(), 'utf8')).toBe(String(owner));
  });

  it('takes over a stale lock left by a process that has exited', async () => {
    writeFileSync(lockFile(), String(await deadPid()));

    lockDataFolder(dataDir);

    expect(readFileSync(lockFile(), 'utf8')).toBe(String(process.pid));
  });

  it.each([
    ['empty', ''],
    ['garbage', 'not a pid'],
  ])('takes over a lock file that is %s', (_label, content) => {
    writeFileSync(lockFile(), content);

    lockDataFolder(dataDir);

    expect(readFileSync(lockFile(), 'utf8')).toBe(String(process.pid));
  });

  it('creates the data folder when it does not exist', () => {
    const nested = join(dataDir, 'a', 'b');

    lockDataFolder(nested);

    expect(readFileSync(join(nested, 'pglite.lock'), 'utf8')).toBe(String(process.pid));
  });
});

describe('openPglite on a folder another process holds', () => {
  it('rejects with DatabaseLockedError before opening anything', async () => {
    const owner = await liveProcess();
    writeFileSync(lockFile(), String(owner));

    await expect(openPglite(dataDir)).rejects.toThrow(DatabaseLockedError);
    await expect(openPglite(dataDir)).rejects.toThrow(`pid ${owner}`);
  });
});
