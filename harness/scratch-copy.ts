import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A copy of the repository to build a variant of the app in (the bench's extra routes, the app
 * without its proxy, a Vercel build) without touching the checkout or its `.next`. It holds the
 * files git tracks or would track, as they are in the working tree, so uncommitted work is built
 * too.
 */

/** A new empty folder under the system's temporary folder; remove it with `removeScratch`. */
export function createScratch(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeScratch(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Copies `root`'s files, except those `skip` names (paths relative to `root`), to `target`. */
export function copyRepository(root: string, target: string, skip: (file: string) => boolean = () => false): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root })
    .toString()
    .split('\0')
    .filter((file) => file !== '' && !skip(file) && existsSync(join(root, file)));
  for (const file of files) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    cpSync(join(root, file), join(target, file));
  }
  linkNodeModules(root, target);
}

/** Copies one file into the copy, at a path of the copy's own. */
export function addFile(source: string, target: string): void {
  mkdirSync(dirname(target), { recursive: true });
  cpSync(source, target);
}

/**
 * Turbopack refuses a symlinked node_modules; hard links are instant and take no space. Across
 * file systems they are impossible, and only a real copy will do.
 */
function linkNodeModules(root: string, target: string): void {
  try {
    execFileSync('cp', ['-al', join(root, 'node_modules'), join(target, 'node_modules')]);
  } catch {
    cpSync(join(root, 'node_modules'), join(target, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  }
}
