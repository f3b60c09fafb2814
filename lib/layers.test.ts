import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * lib/ reads bottom-up: a module may import from its own layer or any layer below it, never from
 * one above. The layers, bottom to top:
 *
 * 0. catalogue: the message catalogue, the way a validation rule names its failure by a catalogue
 *    code (rule-codes), and the pure modules the browser shares (chirp-rules, time-format);
 * 1. config: settings read from the environment;
 * 2. db: drivers, schema, statement helpers, database fault logging;
 * 3. http: request context, bodies, responses, the error boundary;
 * 4. records: the stores that sign-in builds on (users, audit, rate-limit, mail);
 * 5. auth: tokens, cookies, sessions, sign-in flows;
 * 6. features: what builds on a signed-in user (chirps, account activity, housekeeping, webhooks),
 *    the UI's form states, declared server actions, and start-up, which wires everything together.
 *
 * Above lib/ are app/ and proxy.ts, which lib/ never imports.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LIB = join(ROOT, 'lib');

const LAYERS = ['catalogue', 'config', 'db', 'http', 'records', 'auth', 'features'] as const;
type Layer = (typeof LAYERS)[number];

const TOP_LEVEL: Record<string, Layer> = {
  'messages.ts': 'catalogue',
  'chirp-rules.ts': 'catalogue',
  'time-format.ts': 'catalogue',
  'rule-codes.ts': 'catalogue',
  'config.ts': 'config',
  'users.ts': 'records',
  'audit.ts': 'records',
  'rate-limit.ts': 'records',
  'mail.ts': 'records',
  'chirps.ts': 'features',
  'account-activity.ts': 'features',
  'housekeeping.ts': 'features',
  'webhooks.ts': 'features',
  'api-shapes.ts': 'features',
  'form-states.ts': 'features',
  'declared-action.ts': 'features',
  'startup.ts': 'features',
};

const FOLDERS: Record<string, Layer> = { db: 'db', http: 'http', auth: 'auth' };

/** The layer of a file under lib/ (path relative to lib/), or null for one no rule names yet. */
function layerOf(libPath: string): Layer | null {
  const [first, ...rest] = libPath.split('/');
  if (first === undefined) return null;
  if (rest.length === 0) return TOP_LEVEL[first] ?? null;
  return FOLDERS[first] ?? null;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    const isSource = /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name);
    return isSource ? [path] : [];
  });
}

/** Every module specifier a file names: `from '…'` (imports and re-exports) and `import('…')`. */
function importSpecifiers(source: string): string[] {
  const found = [
    ...source.matchAll(/\bfrom\s+['"]([^'"]+)['"]/g),
    ...source.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]/g),
  ];
  return found.flatMap((match) => (match[1] === undefined ? [] : [match[1]]));
}

/** Where a specifier points, relative to lib/, or null when it leaves lib/ (a package, app/). */
function targetInLib(file: string, specifier: string): string | null {
  let absolute: string;
  if (specifier.startsWith('@/')) absolute = join(ROOT, specifier.slice(2));
  else if (specifier.startsWith('.')) absolute = resolve(dirname(file), specifier);
  else return null;
  const path = relative(LIB, absolute);
  if (path.startsWith('..')) return null;
  return /\.tsx?$/.test(path) ? path : `${path}.ts`;
}

type UpwardImport = { file: string; specifier: string; from: Layer; to: Layer };

function upwardImports(): UpwardImport[] {
  return sourceFiles(LIB).flatMap((file) => {
    const from = layerOf(relative(LIB, file));
    if (from === null) return [];
    return importSpecifiers(readFileSync(file, 'utf8')).flatMap((specifier) => {
      const target = targetInLib(file, specifier);
      const to = target === null ? null : layerOf(target);
      if (to === null || LAYERS.indexOf(to) <= LAYERS.indexOf(from)) return [];
      return [{ file: relative(ROOT, file), specifier, from, to }];
    });
  });
}

describe('lib/ reads bottom-up', () => {
  it('places every module of lib/ in a layer', () => {
    const unplaced = sourceFiles(LIB)
      .map((file) => relative(LIB, file))
      .filter((path) => layerOf(path) === null);
    expect(unplaced).toEqual([]);
  });

  it('no module imports from a layer above its own', () => {
    const described = upwardImports().map(
      ({ file, specifier, from, to }) => `${file} (${from}) imports '${specifier}' (${to})`,
    );
    expect(described).toEqual([]);
  });

  it('nothing in lib/ imports from app/ or the proxy', () => {
    const outward = sourceFiles(LIB).flatMap((file) =>
      importSpecifiers(readFileSync(file, 'utf8'))
        .filter((specifier) => /^@\/(app\/|proxy$)/.test(specifier) || /^(\.\.\/)+(app\/|proxy$)/.test(specifier))
        .map((specifier) => `${relative(ROOT, file)} imports '${specifier}'`),
    );
    expect(outward).toEqual([]);
  });

  it('finds static, re-exported, dynamic and aliased imports', () => {
    const source = [
      "import { a } from './a';",
      "import type { B } from '@/lib/b';",
      "export { c } from '../c';",
      "const d = await import('./d');",
      "import 'server-only';",
    ].join('\n');
    expect(importSpecifiers(source)).toEqual(['./a', '@/lib/b', '../c', './d']);
  });
});
