import { afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { runAsDevelopmentServer } from '@/test/development-server';
import { fromAddress } from '@/test/http';
import { localServerForThisFile } from '@/test/local-server';
import {
  clientAddress,
  installPeerStamp,
  isSecureRequest,
  publicOrigin,
  requestContext,
  requestHost,
  resetForwardingWarning,
} from './request-context';

// The default depends on VERCEL, which one of the suite's runs sets: say which one is meant.
beforeEach(() => {
  vi.stubEnv('TRUST_PROXY', 'none');
});

describe('the peer stamp on a real HTTP server', () => {
  beforeAll(() => installPeerStamp());

  // Answers with what the app would conclude about the request.
  const server = localServerForThisFile((request, response) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string') headers.set(name, value);
    }
    response.end(JSON.stringify({ address: clientAddress(headers), secure: isSecureRequest(headers) }));
  });

  async function ask(headers: Record<string, string>): Promise<unknown> {
    return JSON.parse((await server.get('/', headers)).body);
  }

  it('knows the TCP peer, whatever X-Forwarded-* the client sends', async () => {
    expect(
      await ask({ 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-real-ip': '198.51.100.1' }),
    ).toEqual({ address: '127.0.0.1', secure: false });
  });

  it('cannot be forged: a client sending the stamp header itself is overwritten', async () => {
    expect(await ask({ 'x-chirpy-peer': 'guess;https;203.0.113.9' })).toEqual({ address: '127.0.0.1', secure: false });
  });

  describe('a proxy in front while TRUST_PROXY is none', () => {
    let warn: MockInstance<typeof console.warn>;

    beforeEach(() => {
      resetForwardingWarning();
      warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    });

    afterEach(() => {
      warn.mockRestore();
    });

    const warnings = () => warn.mock.calls.map((call) => call.map(String).join(' '));

    it('is said once per process, naming the setting and what to set it to', async () => {
      await ask({ 'x-forwarded-for': '203.0.113.9' });
      await ask({ 'x-forwarded-for': '198.51.100.4' });

      expect(warnings()).toHaveLength(1);
      expect(warnings()[0]).toMatch(/TRUST_PROXY/);
      expect(warnings()[0]).toMatch(/X-Forwarded-For/);
      expect(warnings()[0]).toMatch(/TRUST_PROXY=1/);
    });

    it('is not said when no request carries X-Forwarded-For', async () => {
      await ask({});
      await ask({ 'x-forwarded-proto': 'https' });

      expect(warnings()).toStrictEqual([]);
    });

    it('is not said when TRUST_PROXY names the proxies or the platform', async () => {
      for (const setting of ['1', '2', 'vercel']) {
        vi.stubEnv('TRUST_PROXY', setting);
        await ask({ 'x-forwarded-for': '203.0.113.9' });
      }
      vi.stubEnv('TRUST_PROXY', '');
      vi.stubEnv('VERCEL', '1');
      await ask({ 'x-forwarded-for': '203.0.113.9' });

      expect(warnings()).toStrictEqual([]);
    });

    it('is said when TRUST_PROXY is unset off Vercel (its default is none)', async () => {
      vi.stubEnv('TRUST_PROXY', '');
      vi.stubEnv('VERCEL', '');
      await ask({ 'x-forwarded-for': '203.0.113.9' });

      expect(warnings()).toHaveLength(1);
    });
  });
});

describe('TRUST_PROXY', () => {
  const forwarded = {
    ...fromAddress('10.0.0.2'),
    'x-forwarded-for': '203.0.113.9, 198.51.100.7',
    'x-forwarded-host': 'chirpy.example',
    'x-forwarded-proto': 'https',
    'x-real-ip': '198.51.100.7',
    host: 'internal:3000',
  };

  it('unset (a bare next start): believes none of the forwarded headers', () => {
    vi.stubEnv('TRUST_PROXY', '');
    vi.stubEnv('VERCEL', '');
    const headers = new Headers(forwarded);
    expect(clientAddress(headers)).toBe('10.0.0.2');
    expect(requestHost(headers)).toBe('internal:3000');
    expect(isSecureRequest(headers, new URL('http://internal:3000/'))).toBe(false);
  });

  it('a number of proxies: the client is that many entries from the right of X-Forwarded-For', () => {
    vi.stubEnv('TRUST_PROXY', '1');
    const headers = new Headers(forwarded);
    expect(clientAddress(headers)).toBe('198.51.100.7');
    expect(requestHost(headers)).toBe('chirpy.example');
    expect(isSecureRequest(headers)).toBe(true);
    vi.stubEnv('TRUST_PROXY', '2');
    expect(clientAddress(headers)).toBe('203.0.113.9');
  });

  it('vercel (the default on Vercel): the address the platform sets', () => {
    vi.stubEnv('TRUST_PROXY', '');
    vi.stubEnv('VERCEL', '1');
    expect(clientAddress(new Headers(forwarded))).toBe('198.51.100.7');
  });

  it('refuses a value it does not understand', () => {
    vi.stubEnv('TRUST_PROXY', 'yes');
    expect(() => clientAddress(new Headers(forwarded))).toThrow(/TRUST_PROXY/);
  });
});

describe('requestContext', () => {
  it('records the address and a bounded user agent', () => {
    const context = requestContext(new Headers({ ...fromAddress('::ffff:192.0.2.4'), 'user-agent': 'x'.repeat(600) }));
    expect(context.ip).toBe('192.0.2.4');
    expect(context.userAgent).toHaveLength(512);
  });
});

describe('publicOrigin (where links in mails point)', () => {
  const forged = { ...fromAddress('203.0.113.5'), host: 'attacker.example', 'x-forwarded-host': 'attacker.example' };

  it('is APP_URL, whatever Host and X-Forwarded-Host the request carries', () => {
    vi.stubEnv('APP_URL', 'https://chirpy.example.com/');
    vi.stubEnv('TRUST_PROXY', '1');
    expect(publicOrigin(new Headers(forged))).toBe('https://chirpy.example.com');
  });

  it('under next dev without APP_URL, is the host the request was addressed to', () => {
    runAsDevelopmentServer();
    vi.stubEnv('APP_URL', '');
    vi.stubEnv('TRUST_PROXY', 'none');
    expect(publicOrigin(new Headers({ ...fromAddress('127.0.0.1'), host: 'localhost:3000' }))).toBe(
      'http://localhost:3000',
    );
    expect(publicOrigin(new Headers(fromAddress('127.0.0.1')))).toBe('http://localhost');
    expect(publicOrigin(new Headers({ ...fromAddress('127.0.0.1'), host: 'not a host' }))).toBe('http://localhost');
  });

  it.each(['production', 'staging', 'test', 'development'])(
    'outside next dev (NODE_ENV=%s) without APP_URL, is refused rather than taken from the request',
    (nodeEnv) => {
      vi.stubEnv('APP_URL', '');
      vi.stubEnv('NODE_ENV', nodeEnv);
      expect(() => publicOrigin(new Headers(forged))).toThrow(/APP_URL/);
    },
  );
});
