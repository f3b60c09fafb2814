import 'server-only';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import { PRODUCT_NAME } from '../messages';

/**
 * Authenticator-app codes (RFC 6238: SHA-1, 6 digits, 30-second steps, what every app reads from
 * a QR code), through otplib v13. Time comes in as an argument, so tests set the clock.
 */

export const TOTP_PERIOD_SECONDS = 30;
const CODE_FORMAT = /^\d{6}$/;

/** A new shared secret: 20 random bytes, base32 as the apps expect. */
export function createTotpSecret(): string {
  return generateSecret();
}

/** The `otpauth://` address the QR code holds: the apps list it as "Chirpy (alice@example.com)". */
export function totpUri(secret: string, email: string): string {
  return generateURI({ issuer: PRODUCT_NAME, label: email, secret });
}

/** The QR code as an SVG document, drawn here: nothing about the secret leaves the server. */
export async function totpQrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** A code as typed: spaces are how many apps group the six digits ("123 456"). */
export function normalizeTotpCode(typed: string): string {
  return typed.replace(/\s+/g, '');
}

export function looksLikeTotpCode(typed: string): boolean {
  return CODE_FORMAT.test(normalizeTotpCode(typed));
}

export type TotpCheck = { ok: true; timeStep: number } | { ok: false };

/**
 * Whether `typed` is the code of the step at `nowMs`, or of the one before or after it (a phone's
 * clock a little off, a code typed as it turned over). A step at or before `afterTimeStep` (the
 * newest one already accepted for this account) is refused: a code is good once. The caller
 * stores the step it answers, so that holds across requests.
 */
export async function checkTotpCode(
  secret: string,
  typed: string,
  nowMs: number,
  afterTimeStep: number | null,
): Promise<TotpCheck> {
  const token = normalizeTotpCode(typed);
  if (!CODE_FORMAT.test(token)) return { ok: false };
  const result = await verify({
    secret,
    token,
    epoch: Math.floor(nowMs / 1000),
    epochTolerance: TOTP_PERIOD_SECONDS,
    ...(afterTimeStep === null ? {} : { afterTimeStep }),
  });
  return result.valid && 'timeStep' in result ? { ok: true, timeStep: result.timeStep } : { ok: false };
}
