import { describe, expect, it } from 'vitest';
import { loginPath, safeNextPath } from './redirects';

describe('safeNextPath (where sign-in sends you)', () => {
  it.each(['/', '/users/0b7e3c52-8d1a-4f6e-a2c9-5e4d3b2a1f00', '/?cursor=abc', '/account#sessions'])(
    'keeps the path on this site %s',
    (path) => {
      expect(safeNextPath(path)).toBe(path);
    },
  );

  it.each([
    ['another origin, scheme-relative', '//evil.example'],
    ['another origin behind a backslash', '/\\evil.example'],
    ['another origin behind a dot segment', '/.//evil.example'],
    ['another origin behind parent segments', '/../..//evil.example'],
    ['another origin behind a dot segment and a backslash', '/./\\evil.example'],
    ['an absolute URL', 'https://evil.example/'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a relative path', 'users/1'],
    ['a control character', '/users\n/1'],
    ['nothing', undefined],
    ['an empty value', ''],
  ])('falls back home for %s', (_label, candidate) => {
    expect(safeNextPath(candidate)).toBe('/');
  });

  it('normalises what the browser would resolve anyway', () => {
    expect(safeNextPath('/a/../users')).toBe('/users');
  });
});

describe('loginPath', () => {
  it('carries the destination encoded, and only a safe one', () => {
    expect(loginPath('/users/1?cursor=x')).toBe('/login?next=%2Fusers%2F1%3Fcursor%3Dx');
    expect(loginPath('//evil.example')).toBe('/login?next=%2F');
  });
});
