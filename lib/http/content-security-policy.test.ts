import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { runAsDevelopmentServer } from '@/test/development-server';
import { createNonce, pageContentSecurityPolicy, staticContentSecurityPolicy } from './content-security-policy';

function directives(policy: string): Map<string, string> {
  return new Map(
    policy.split(';').map((part) => {
      const [name = '', ...values] = part.trim().split(/\s+/);
      return [name, values.join(' ')];
    }),
  );
}

describe('the pages’ content security policy', () => {
  it('allows scripts by a per-request nonce, never every inline script', () => {
    const nonce = createNonce();
    const script = directives(pageContentSecurityPolicy(nonce, false)).get('script-src');
    expect(script).toBe(`'self' 'nonce-${nonce}' 'strict-dynamic'`);
    expect(script).not.toContain('unsafe');
  });

  it('makes a new nonce each time, of 128 random bits', () => {
    const nonces = new Set(Array.from({ length: 100 }, createNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
  });

  it('adds eval only on the development server', () => {
    expect(pageContentSecurityPolicy('n', true)).toContain("'unsafe-eval'");
    expect(pageContentSecurityPolicy('n', false)).not.toContain("'unsafe-eval'");
  });

  it('is the development server’s under next dev only, whatever NODE_ENV says', () => {
    vi.stubEnv('NODE_ENV', 'development');
    expect(pageContentSecurityPolicy('n')).not.toContain("'unsafe-eval'");
    expect(staticContentSecurityPolicy()).not.toContain("'unsafe-eval'");

    runAsDevelopmentServer();
    vi.stubEnv('NODE_ENV', 'test');
    expect(pageContentSecurityPolicy('n')).toContain("'unsafe-eval'");
    expect(staticContentSecurityPolicy()).toContain("'unsafe-eval'");
  });

  it('says the same as next.config.mjs’s policy for everything but scripts, which that one allows none of inline', async () => {
    const configModule: unknown = await import(new URL('../../next.config.mjs', import.meta.url).href);
    const nextConfig = z.object({ default: z.unknown() }).parse(configModule).default;
    if (typeof nextConfig !== 'function') throw new Error('next.config.mjs exports no function');
    const config: unknown = Reflect.apply(nextConfig, undefined, ['phase-production-server']);
    const headers = z.object({ headers: z.unknown() }).parse(config).headers;
    if (typeof headers !== 'function') throw new Error('next.config.mjs has no headers()');
    const routes = z
      .array(z.object({ headers: z.array(z.object({ key: z.string(), value: z.string() })) }))
      .parse(await Reflect.apply(headers, config, []));
    const policy = routes[0]?.headers.find((header) => header.key === 'Content-Security-Policy')?.value ?? '';
    expect(policy).toBe(staticContentSecurityPolicy(false));
    const fromConfig = directives(policy);
    const forPages = directives(pageContentSecurityPolicy('n', false));
    expect(fromConfig.get('script-src')).toBe("'self'");
    fromConfig.delete('script-src');
    forPages.delete('script-src');
    expect(fromConfig).toEqual(forPages);
    expect(fromConfig.get('frame-ancestors')).toBe("'none'");
  });
});
