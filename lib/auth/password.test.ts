import bcrypt from 'bcrypt';
import bcryptjs from 'bcryptjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type HeldHashes, holdHashes } from '@/test/held-hashes';
import { ServerBusyError } from '../http/busy';
import { forgetHashQueueWarning, hasherKind, passwordHashLoad } from './hasher';
import {
  fitsBcrypt,
  hashPassword,
  PASSWORD_TOO_LONG,
  PASSWORD_TOO_SHORT,
  passwordSchema,
  verifyAgainstDummy,
  verifyPassword,
} from './password';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('passwordSchema', () => {
  it('refuses fewer than 8 characters and accepts 8', () => {
    expect(passwordSchema.safeParse('1234567').error?.issues[0]?.message).toBe(PASSWORD_TOO_SHORT);
    expect(passwordSchema.safeParse('12345678').success).toBe(true);
  });

  it('counts the 72-byte limit in UTF-8 bytes, not characters', () => {
    expect(passwordSchema.safeParse('a'.repeat(72)).success).toBe(true);
    expect(passwordSchema.safeParse('a'.repeat(73)).error?.issues[0]?.message).toBe(PASSWORD_TOO_LONG);
    // 18 four-byte emoji are 72 bytes; 19 are 76 bytes in only 19 characters.
    expect(passwordSchema.safeParse('🔑'.repeat(18)).success).toBe(true);
    expect(passwordSchema.safeParse('🔑'.repeat(19)).error?.issues[0]?.message).toBe(PASSWORD_TOO_LONG);
  });

  it('refuses what is not a string', () => {
    expect(passwordSchema.safeParse(12345678).success).toBe(false);
    expect(passwordSchema.safeParse(null).success).toBe(false);
  });
});

describe('fitsBcrypt', () => {
  it('is exactly the case in which bcrypt does not truncate', () => {
    for (const password of ['a'.repeat(72), 'é'.repeat(36), 'a'.repeat(73), 'é'.repeat(37)]) {
      expect(fitsBcrypt(password)).toBe(!bcryptjs.truncates(password));
    }
  });
});

describe('hashPassword and verifyPassword', () => {
  it('hash with bcrypt at BCRYPT_COST and verify only the same password', async () => {
    vi.stubEnv('BCRYPT_COST', '5');

    const hash = await hashPassword('correct horse battery');

    expect(hash).toMatch(/^\$2[ab]\$05\$.{53}$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery ', hash)).toBe(false);
    expect(await verifyPassword('Correct horse battery', hash)).toBe(false);
  });

  it('salt every hash: the same password twice gives two hashes', async () => {
    expect(await hashPassword('same password')).not.toBe(await hashPassword('same password'));
  });

  it.each([
    ['not a number', 'ten'],
    ['below 4', '3'],
    ['above 15', '16'],
  ])('refuse a BCRYPT_COST %s with a message naming it', async (_label, cost) => {
    vi.stubEnv('BCRYPT_COST', cost);

    await expect(async () => hashPassword('whatever password')).rejects.toThrow(/BCRYPT_COST/);
  });
});

describe('verifyAgainstDummy', () => {
  it('does a real bcrypt comparison at the configured cost, and always says no', async () => {
    vi.stubEnv('BCRYPT_COST', '6');
    const compare = vi.spyOn(bcrypt, 'compare');

    expect(await verifyAgainstDummy('chirpy-dummy-password')).toBe(false);

    expect(compare).toHaveBeenCalledTimes(1);
    expect(compare.mock.calls[0]?.[1]).toMatch(/^\$2[ab]\$06\$/);
  });
});

describe('where the hashing runs', () => {
  it('uses the native binding (off the event loop), whose hashes bcryptjs reads and the reverse', async () => {
    expect(await hasherKind()).toBe('native');
    const native = await hashPassword('correct horse battery');
    expect(await bcryptjs.compare('correct horse battery', native)).toBe(true);
    const portable = await bcryptjs.hash('correct horse battery', 4);
    expect(await verifyPassword('correct horse battery', portable)).toBe(true);
  });

  it('runs at most PASSWORD_HASH_CONCURRENCY hashes at once, queueing the rest', async () => {
    vi.stubEnv('PASSWORD_HASH_CONCURRENCY', '2');
    const hash = await hashPassword('queue me');
    let inFlight = 0;
    let most = 0;
    const compare = bcrypt.compare.bind(bcrypt);
    vi.spyOn(bcrypt, 'compare').mockImplementation(async (password: string | Buffer, encrypted: string) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      try {
        return await compare(password, encrypted);
      } finally {
        inFlight -= 1;
      }
    });

    const results = await Promise.all(Array.from({ length: 6 }, () => verifyPassword('queue me', hash)));

    expect(results).toEqual([true, true, true, true, true, true]);
    expect(most).toBe(2);
  });
});

describe('the password-hash queue', () => {
  let held: HeldHashes | undefined;

  // A test that fails while hashes are held must not leave them holding slots for the next.
  afterEach(() => {
    held?.release();
    held = undefined;
  });

  function hold(): HeldHashes {
    held = holdHashes();
    return held;
  }

  async function queued(expected: { running: number; waiting: number }) {
    await vi.waitFor(() => expect(passwordHashLoad()).toEqual(expected));
  }

  it('holds at most PASSWORD_HASH_QUEUE_MAX waiting: the next is refused as busy, with a wait, and runs nothing', async () => {
    vi.stubEnv('PASSWORD_HASH_CONCURRENCY', '1');
    vi.stubEnv('PASSWORD_HASH_QUEUE_MAX', '2');
    const hash = await hashPassword('queue me');
    const held = hold();
    const admitted = Array.from({ length: 3 }, () => verifyPassword('queue me', hash));
    await queued({ running: 1, waiting: 2 });

    const refused = verifyPassword('queue me', hash);

    await expect(refused).rejects.toBeInstanceOf(ServerBusyError);
    await expect(refused).rejects.toMatchObject({ retryAfterSeconds: expect.any(Number) });
    held.release();
    expect(await Promise.all(admitted)).toEqual([true, true, true]);
    expect(held.calls()).toBe(3);
    expect(passwordHashLoad()).toEqual({ running: 0, waiting: 0 });
  });

  it('says so in the log once, naming the setting, however many are refused', async () => {
    vi.stubEnv('PASSWORD_HASH_CONCURRENCY', '1');
    vi.stubEnv('PASSWORD_HASH_QUEUE_MAX', '0');
    const hash = await hashPassword('queue me');
    forgetHashQueueWarning();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const held = hold();
    const running = verifyPassword('queue me', hash);
    await queued({ running: 1, waiting: 0 });

    for (let i = 0; i < 5; i++) await expect(verifyPassword('queue me', hash)).rejects.toBeInstanceOf(ServerBusyError);

    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('PASSWORD_HASH_QUEUE_MAX');
    held.release();
    await running;
  });

  it('lets a job whose request was aborted leave the queue before it runs: its hash never runs', async () => {
    vi.stubEnv('PASSWORD_HASH_CONCURRENCY', '1');
    const hash = await hashPassword('queue me');
    const held = hold();
    const running = verifyPassword('queue me', hash);
    await queued({ running: 1, waiting: 0 });
    const client = new AbortController();
    const abandoned = verifyPassword('queue me', hash, client.signal);
    await queued({ running: 1, waiting: 1 });

    client.abort();

    await expect(abandoned).rejects.toMatchObject({ name: 'AbortError' });
    expect(passwordHashLoad()).toEqual({ running: 1, waiting: 0 });
    held.release();
    expect(await running).toBe(true);
    expect(held.calls()).toBe(1);
  });

  it('never queues a job whose request was aborted before it got there', async () => {
    const hash = await hashPassword('queue me');
    const held = hold();
    held.release();

    await expect(verifyPassword('queue me', hash, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
    await expect(verifyAgainstDummy('queue me', AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
    expect(held.calls()).toBe(0);
  });

  it('does not keep a refused dummy hash: an unknown email after the queue drained is compared as usual', async () => {
    vi.stubEnv('PASSWORD_HASH_CONCURRENCY', '1');
    vi.stubEnv('PASSWORD_HASH_QUEUE_MAX', '0');
    // A cost no other test uses, so the dummy hash for it is not made yet.
    vi.stubEnv('BCRYPT_COST', '7');
    const hash = await hashPassword('queue me');
    const held = hold();
    const running = verifyPassword('queue me', hash);
    await queued({ running: 1, waiting: 0 });
    await expect(verifyAgainstDummy('guess')).rejects.toBeInstanceOf(ServerBusyError);
    held.release();
    await running;

    expect(await verifyAgainstDummy('guess')).toBe(false);
  });
});
