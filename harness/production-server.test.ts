import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startFlags } from './production-server';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function folderWithStartScript(start: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'chirpy-start-'));
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ scripts: { start } }));
  return folder;
}

describe('startFlags: the harness runs servers as `npm start` does', () => {
  it("reads this project's start script: a young generation large enough for page renders", () => {
    expect(startFlags(ROOT)).toEqual(['--max-semi-space-size=64']);
  });

  it('reads no flags from a plain node start, and every flag of a longer one', () => {
    const plain = folderWithStartScript('node node_modules/next/dist/bin/next start');
    const two = folderWithStartScript(
      'node --max-semi-space-size=32 --trace-warnings node_modules/next/dist/bin/next start',
    );
    try {
      expect(startFlags(plain)).toEqual([]);
      expect(startFlags(two)).toEqual(['--max-semi-space-size=32', '--trace-warnings']);
    } finally {
      rmSync(plain, { recursive: true });
      rmSync(two, { recursive: true });
    }
  });

  it('refuses a start script it cannot read the flags of, instead of measuring another server', () => {
    const folder = folderWithStartScript('next start');
    try {
      expect(() => startFlags(folder)).toThrow(/start script/);
    } finally {
      rmSync(folder, { recursive: true });
    }
  });
});
