import bcrypt from 'bcrypt';
import { vi } from 'vitest';

/**
 * bcrypt's compare and hash held until the test lets them go, so a test can fill the
 * password-hash queue and look at it. Each call is counted; released calls answer as the real
 * bcrypt would.
 */
export type HeldHashes = {
  /** How many compares and hashes bcrypt was asked to run. */
  calls: () => number;
  /** Lets every held call, and any later one, run. */
  release: () => void;
};

export function holdHashes(): HeldHashes {
  let calls = 0;
  let open: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    open = resolve;
  });
  const compare = bcrypt.compare.bind(bcrypt);
  const hash = bcrypt.hash.bind(bcrypt);
  vi.spyOn(bcrypt, 'compare').mockImplementation(async (data: string | Buffer, encrypted: string) => {
    calls += 1;
    await released;
    return compare(data, encrypted);
  });
  vi.spyOn(bcrypt, 'hash').mockImplementation(async (data: string | Buffer, saltOrRounds: string | number) => {
    calls += 1;
    await released;
    return hash(data, saltOrRounds);
  });
  return { calls: () => calls, release: () => open() };
}
