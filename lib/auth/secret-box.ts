import 'server-only';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { MIN_SECRET_LENGTH, resolveRotatingSecret } from './jwt-secret';

/**
 * Second-factor secrets at rest: AES-256-GCM under MFA_ENCRYPTION_KEY, so a copy of the database
 * (a backup, a leaked dump) cannot make anyone's codes. Each box names the key that sealed it
 * (a short fingerprint, never the key), so MFA_ENCRYPTION_KEY_PREVIOUS can still open boxes while
 * a rotation is under way, and a box is sealed again under the current key when it is next used.
 * The box is bound to its owner (the user id is the GCM associated data): a ciphertext copied to
 * another account's row does not open.
 *
 * A box reads `v1.<key id>.<iv>.<tag>.<ciphertext>`, each part base64url.
 */

export type SecretKey = { id: string; key: Buffer };
export type SecretKeys = { current: SecretKey; previous: SecretKey | undefined };

const VERSION = 'v1';
const IV_BYTES = 12;

function toKey(value: string): SecretKey {
  // Any string of 32 or more characters (`openssl rand -hex 32`): its SHA-256 is the AES key.
  const key = createHash('sha256').update(value).digest();
  const id = createHash('sha256').update('chirpy-mfa-key-id').update(key).digest('hex').slice(0, 8);
  return { id, key };
}

/**
 * MFA_ENCRYPTION_KEY seals; MFA_ENCRYPTION_KEY_PREVIOUS (optional) still opens. Like JWT_SECRET,
 * only `next dev` makes one up (kept beside the embedded database); anything else refuses to run
 * without it, rather than seal secrets under a key the next start would not have.
 */
export function resolveSecretKeys(env: NodeJS.ProcessEnv = process.env): SecretKeys {
  const { current, previous } = resolveRotatingSecret(
    env,
    'MFA_ENCRYPTION_KEY',
    'mfa-key',
    'MFA_ENCRYPTION_KEY is required (only `next dev` makes one up): it encrypts the authenticator-app secrets. ' +
      `Set it to a random string of at least ${MIN_SECRET_LENGTH} characters (\`openssl rand -hex 32\`), and keep it: ` +
      'without it no enrolled authenticator app can be checked.',
  );
  return { current: toKey(current), previous: previous === undefined ? undefined : toKey(previous) };
}

const encode = (bytes: Buffer) => bytes.toString('base64url');

export function sealSecret(plain: string, ownerId: string, keys: SecretKeys = resolveSecretKeys()): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.current.key, iv);
  cipher.setAAD(Buffer.from(ownerId));
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [VERSION, keys.current.id, encode(iv), encode(cipher.getAuthTag()), encode(ciphertext)].join('.');
}

/** `stale`: sealed under the previous key, to be sealed again under the current one. */
export type OpenedSecret = { plain: string; stale: boolean };

/** The secret in a box, or null when no configured key opens it (or it is not a box at all). */
export function openSecret(box: string, ownerId: string, keys: SecretKeys = resolveSecretKeys()): OpenedSecret | null {
  const [version, keyId, iv, tag, ciphertext, ...rest] = box.split('.');
  if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined || rest.length > 0) {
    return null;
  }
  const key = [keys.current, keys.previous].find((candidate) => candidate?.id === keyId);
  if (key === undefined) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(ownerId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
    return { plain: plain.toString('utf8'), stale: key !== keys.current };
  } catch {
    // A tag that does not verify: tampered with, or bound to another owner.
    return null;
  }
}
