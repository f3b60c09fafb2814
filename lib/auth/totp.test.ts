import { describe, expect, it } from 'vitest';
import { codeAt, STEP_MS, T0 } from '@/test/second-factor';
import { checkTotpCode, createTotpSecret, totpQrSvg, totpUri } from './totp';

const secret = createTotpSecret();
const stepOf = (atMs: number) => Math.floor(atMs / STEP_MS);

describe('checkTotpCode', () => {
  it("accepts the current step's code and answers that step", async () => {
    expect(await checkTotpCode(secret, await codeAt(secret, T0), T0, null)).toEqual({ ok: true, timeStep: stepOf(T0) });
  });

  it('accepts the step before and the step after (a clock a little off), not two steps away', async () => {
    for (const offset of [-1, 1]) {
      const at = T0 + offset * STEP_MS;
      expect(await checkTotpCode(secret, await codeAt(secret, at), T0, null)).toEqual({
        ok: true,
        timeStep: stepOf(at),
      });
    }
    for (const offset of [-2, 2]) {
      expect(await checkTotpCode(secret, await codeAt(secret, T0 + offset * STEP_MS), T0, null)).toEqual({ ok: false });
    }
  });

  it('refuses a step at or before the last one accepted (a replayed code)', async () => {
    const code = await codeAt(secret, T0);

    expect(await checkTotpCode(secret, code, T0, stepOf(T0))).toEqual({ ok: false });
    expect(await checkTotpCode(secret, await codeAt(secret, T0 - STEP_MS), T0, stepOf(T0) - 1)).toEqual({ ok: false });
    expect(await checkTotpCode(secret, code, T0, stepOf(T0) - 1)).toEqual({ ok: true, timeStep: stepOf(T0) });
  });

  it('refuses wrong and malformed codes without throwing; spaces between the digits are fine', async () => {
    const right = await codeAt(secret, T0);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');

    for (const typed of [wrong, '12345', '1234567', 'abcdef', '', '12 34 5x']) {
      expect(await checkTotpCode(secret, typed, T0, null)).toEqual({ ok: false });
    }
    expect(await checkTotpCode(secret, `${right.slice(0, 3)} ${right.slice(3)}`, T0, null)).toMatchObject({ ok: true });
  });
});

describe('totpUri and totpQrSvg', () => {
  it('names Chirpy and the account, and draws the address as an SVG document', async () => {
    const uri = totpUri(secret, 'alice@example.com');

    expect(uri).toBe(`otpauth://totp/Chirpy:alice%40example.com?secret=${secret}&issuer=Chirpy`);
    const svg = await totpQrSvg(uri);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).not.toContain(secret);
  });
});
