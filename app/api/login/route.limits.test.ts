import { afterEach, describe, expect, it, vi } from 'vitest';
import { MESSAGES } from '@/lib/messages';
import { PASSWORD, refreshTokenRows, signUp } from '@/test/fixtures';
import { expectError, fromAddress, jsonOf, makeRequest } from '@/test/http';
import { POST } from './route';

afterEach(() => {
  vi.unstubAllEnvs();
});

function limitSignIns(perAccount: number, perAddress = 100) {
  vi.stubEnv('RATE_LIMIT_LOGIN_ACCOUNT_MAX', String(perAccount));
  vi.stubEnv('RATE_LIMIT_LOGIN_ACCOUNT_WINDOW_SECONDS', '900');
  vi.stubEnv('RATE_LIMIT_LOGIN_IP_MAX', String(perAddress));
  vi.stubEnv('RATE_LIMIT_LOGIN_IP_WINDOW_SECONDS', '900');
}

function login(email: string, password: string, headers: Record<string, string> = {}) {
  return POST(makeRequest('POST', '/api/login', { json: { email, password }, headers }));
}

/** Retry-After, which must be a whole number of seconds, at least 1 and at most the window. */
function retryAfter(response: Response): number {
  const header = response.headers.get('retry-after') ?? '';
  expect(header).toMatch(/^[1-9]\d*$/);
  return Number(header);
}

describe('POST /api/login over a rate limit', () => {
  it('answers 429 with Retry-After in whole seconds and {"error"}, even for the right password, and starts no session', async () => {
    limitSignIns(3);
    const user = await signUp();
    for (let i = 0; i < 3; i++) expect((await login(user.email, `guess ${i}`)).status).toBe(401);

    const response = await login(user.email, PASSWORD);

    expect(response.status).toBe(429);
    expect(retryAfter(response)).toBeLessThanOrEqual(900);
    expect(await jsonOf(response)).toEqual({
      status: 429,
      body: { error: MESSAGES.rate_limited, code: 'rate_limited' },
    });
    expect(await refreshTokenRows(user.id)).toEqual([]);
  });

  it('the same answer for an account that does not exist, so the limit reveals no accounts', async () => {
    limitSignIns(1);
    await login('nobody@example.com', 'guess');

    expect(await expectError(await login('nobody@example.com', 'guess'), 429)).toBe(MESSAGES.rate_limited);
  });

  it('a client cannot dodge the limit with its own X-Forwarded-For when TRUST_PROXY is not set', async () => {
    vi.stubEnv('TRUST_PROXY', undefined);
    // A server of our own, not Vercel (the Vercel run of the suite sets VERCEL; the database is already open).
    vi.stubEnv('VERCEL', undefined);
    limitSignIns(100, 3);
    const attacker = fromAddress('203.0.113.9');
    const forged = (i: number) => ({ ...attacker, 'x-forwarded-for': `10.0.0.${i}`, 'x-real-ip': `10.0.1.${i}` });
    for (let i = 0; i < 3; i++) expect((await login(`victim${i}@example.com`, 'guess', forged(i))).status).toBe(401);

    expect((await login('victim9@example.com', 'guess', forged(9))).status).toBe(429);
    // Someone else, on another network, is not affected.
    const owner = await signUp();
    expect((await login(owner.email, PASSWORD, fromAddress('198.51.100.20'))).status).toBe(200);
  });

  it('behind a proxy named by TRUST_PROXY, the address that proxy saw is the one counted', async () => {
    vi.stubEnv('TRUST_PROXY', '1');
    limitSignIns(100, 1);
    const viaProxy = (client: string) => ({ ...fromAddress('10.0.0.1'), 'x-forwarded-for': client });

    expect((await login('a@example.com', 'guess', viaProxy('203.0.113.1'))).status).toBe(401);
    expect((await login('a@example.com', 'guess', viaProxy('203.0.113.2'))).status).toBe(401);
    expect((await login('a@example.com', 'guess', viaProxy('203.0.113.1'))).status).toBe(429);
    // A client prepending its own entry changes nothing: only the proxy's (the last) is believed.
    expect((await login('a@example.com', 'guess', viaProxy('198.51.100.7, 203.0.113.2'))).status).toBe(429);
  });

  it('on Vercel, the address the platform sets is the one counted', async () => {
    vi.stubEnv('TRUST_PROXY', undefined);
    vi.stubEnv('VERCEL', '1');
    limitSignIns(100, 1);
    const fromPlatform = (client: string) => ({ 'x-real-ip': client, 'x-forwarded-for': client });

    expect((await login('a@example.com', 'guess', fromPlatform('203.0.113.1'))).status).toBe(401);
    expect((await login('a@example.com', 'guess', fromPlatform('203.0.113.2'))).status).toBe(401);
    expect((await login('a@example.com', 'guess', fromPlatform('203.0.113.1'))).status).toBe(429);
  });
});

/** The statuses of wrong-password sign-ins made one after another, each as [email, client address]. */
async function guessStatuses(guesses: ReadonlyArray<readonly [email: string, address: string]>): Promise<number[]> {
  const statuses: number[] = [];
  for (const [email, address] of guesses) statuses.push((await login(email, 'guess', fromAddress(address))).status);
  return statuses;
}

/** Guesses at one account, one from each address in turn. */
function fromOneAccount(addresses: string[]): Array<[email: string, address: string]> {
  return addresses.map((address) => ['a@example.com', address]);
}

describe('POST /api/login from IPv6 clients', () => {
  it('counts a /64 as one client: two addresses in one network share the address limit, another network does not', async () => {
    vi.stubEnv('TRUST_PROXY', 'none');
    limitSignIns(100, 2);

    const guesses = [
      ['a@example.com', '2001:db8:1:2::1'],
      ['b@example.com', '2001:db8:1:2::2'],
      ['c@example.com', '2001:db8:1:2:abcd::3'],
      // The same network spelled out in full is the same client.
      ['d@example.com', '2001:0db8:0001:0002:0:0:0:4'],
    ] as const;
    expect(await guessStatuses(guesses)).toEqual([401, 401, 429, 429]);

    const owner = await signUp();
    expect((await login(owner.email, PASSWORD, fromAddress('2001:db8:1:3::1'))).status).toBe(200);
  });

  it('RATE_LIMIT_IPV6_PREFIX sets how wide a client network is', async () => {
    vi.stubEnv('TRUST_PROXY', 'none');
    vi.stubEnv('RATE_LIMIT_IPV6_PREFIX', '48');
    limitSignIns(100, 1);

    const addresses = ['2001:db8:1:2::1', '2001:db8:1:3::1', '2001:db8:2:3::1'];
    expect(await guessStatuses(fromOneAccount(addresses))).toEqual([401, 429, 401]);

    vi.stubEnv('RATE_LIMIT_IPV6_PREFIX', '128');
    expect(await guessStatuses(fromOneAccount(['2001:db8:9::1', '2001:db8:9::2']))).toEqual([401, 401]);
  });

  it('IPv4 clients are counted per address as before, the IPv4-mapped spelling included', async () => {
    vi.stubEnv('TRUST_PROXY', 'none');
    limitSignIns(100, 1);

    const addresses = ['198.51.100.1', '198.51.100.2', '::ffff:198.51.100.1'];
    expect(await guessStatuses(fromOneAccount(addresses))).toEqual([401, 401, 429]);
  });

  it('the session still records the full address the client came from, not its network', async () => {
    vi.stubEnv('TRUST_PROXY', 'none');
    const owner = await signUp();

    expect((await login(owner.email, PASSWORD, fromAddress('2001:db8:1:2::beef'))).status).toBe(200);

    expect((await refreshTokenRows(owner.id)).map((row) => row.ip)).toEqual(['2001:db8:1:2::beef']);
  });
});

describe('POST /api/login keys an account by its normalised address', () => {
  it('counts differently spelled addresses of one account against one limit: spaces, case, fullwidth characters', async () => {
    vi.stubEnv('TRUST_PROXY', 'none');
    limitSignIns(2);
    const owner = await signUp('ada@example.com');
    const here = fromAddress('203.0.113.30');

    expect((await login('  Ada@Example.COM ', 'guess 1', here)).status).toBe(401);
    expect((await login('ａｄａ@ｅｘａｍｐｌｅ.ｃｏｍ', 'guess 2', here)).status).toBe(401);

    expect((await login(owner.email, PASSWORD, here)).status).toBe(429);
  });

  it('signs in with the fullwidth spelling of an address, as the account it normalises to', async () => {
    const owner = await signUp('ada@example.com');

    const response = await login('ＡＤＡ@ｅｘａｍｐｌｅ.ｃｏｍ', PASSWORD);

    expect(await jsonOf(response)).toMatchObject({ status: 200, body: { id: owner.id, email: 'ada@example.com' } });
  });
});
