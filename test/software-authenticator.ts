import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

/**
 * A passkey authenticator in software, for tests: an ES256 key per credential, attestation
 * `none`, user verified, and the signature counter under the test's control. It answers the way
 * @simplewebauthn/browser hands a browser's answer over (base64url JSON), so the server is tested
 * on real signatures, not on mocks of the library.
 */

type CborValue = number | string | Uint8Array | Map<CborValue, CborValue>;

/** A CBOR header: major type and argument (RFC 8949 §3). */
function head(major: number, argument: number): Buffer {
  if (argument < 24) return Buffer.from([(major << 5) | argument]);
  if (argument < 0x100) return Buffer.from([(major << 5) | 24, argument]);
  if (argument < 0x10000) return Buffer.from([(major << 5) | 25, argument >> 8, argument & 0xff]);
  const bytes = Buffer.alloc(5);
  bytes[0] = (major << 5) | 26;
  bytes.writeUInt32BE(argument, 1);
  return bytes;
}

/** Just enough CBOR for COSE keys and attestation objects: integers, text, bytes, maps. */
export function encodeCbor(value: CborValue): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, text.length), text]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  const entries = [...value].flatMap(([key, item]) => [encodeCbor(key), encodeCbor(item)]);
  return Buffer.concat([head(5, value.size), ...entries]);
}

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();
const b64url = (data: Uint8Array | string) => Buffer.from(data).toString('base64url');

const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;
const FLAG_BACKUP_ELIGIBLE = 0x08;
const FLAG_BACKED_UP = 0x10;
const FLAG_ATTESTED_DATA = 0x40;

export type SoftwareCredential = {
  id: Buffer;
  privateKey: KeyObject;
  publicKey: KeyObject;
  signCount: number;
  userHandle: string;
};

export type AuthenticatorOptions = {
  /** The origin the "browser" is on, and the RP ID it signs for. */
  origin: string;
  rpId: string;
  /** A synced passkey (backup eligible and backed up), or one bound to this device. */
  synced?: boolean;
  userVerified?: boolean;
};

function coseKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x ?? '', 'base64url');
  const y = Buffer.from(jwk.y ?? '', 'base64url');
  // kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y.
  return encodeCbor(
    new Map<CborValue, CborValue>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, x],
      [-3, y],
    ]),
  );
}

function flags(options: AuthenticatorOptions, attested: boolean): number {
  let value = FLAG_USER_PRESENT;
  if (options.userVerified ?? true) value |= FLAG_USER_VERIFIED;
  if (options.synced) value |= FLAG_BACKUP_ELIGIBLE | FLAG_BACKED_UP;
  if (attested) value |= FLAG_ATTESTED_DATA;
  return value;
}

function counterBytes(count: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(count);
  return bytes;
}

function clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string, origin: string): string {
  return JSON.stringify({ type, challenge, origin, crossOrigin: false });
}

/** A new credential for `options`' RP, answering creation options with `challenge`. */
export function register(
  challenge: string,
  userHandle: string,
  options: AuthenticatorOptions,
): { credential: SoftwareCredential; response: RegistrationJson } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const id = randomBytes(16);
  const credential = { id, privateKey, publicKey, signCount: 0, userHandle };
  const idLength = Buffer.alloc(2);
  idLength.writeUInt16BE(id.length);
  const authData = Buffer.concat([
    sha256(options.rpId),
    Buffer.from([flags(options, true)]),
    counterBytes(0),
    Buffer.alloc(16),
    idLength,
    id,
    coseKey(publicKey),
  ]);
  const attestationObject = encodeCbor(
    new Map<CborValue, CborValue>([
      ['fmt', 'none'],
      ['attStmt', new Map()],
      ['authData', authData],
    ]),
  );
  const response = {
    id: b64url(id),
    rawId: b64url(id),
    type: 'public-key' as const,
    response: {
      clientDataJSON: b64url(clientData('webauthn.create', challenge, options.origin)),
      attestationObject: b64url(attestationObject),
      transports: ['internal'],
    },
    authenticatorAttachment: 'platform' as const,
  };
  return { credential, response };
}

export type RegistrationJson = {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; attestationObject: string; transports: string[] };
  authenticatorAttachment: 'platform';
};

export type AssertionJson = {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; authenticatorData: string; signature: string; userHandle: string };
  authenticatorAttachment: 'platform';
};

/**
 * Signs `challenge` with `credential`. The counter goes up by one, unless `signCount` says what
 * to send (a copy of the key replaying an old count).
 */
export function assert(
  credential: SoftwareCredential,
  challenge: string,
  options: AuthenticatorOptions & { signCount?: number },
): AssertionJson {
  const signCount = options.signCount ?? credential.signCount + 1;
  credential.signCount = signCount;
  const authData = Buffer.concat([sha256(options.rpId), Buffer.from([flags(options, false)]), counterBytes(signCount)]);
  const clientDataJSON = clientData('webauthn.get', challenge, options.origin);
  const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey);
  return {
    id: b64url(credential.id),
    rawId: b64url(credential.id),
    type: 'public-key',
    response: {
      clientDataJSON: b64url(clientDataJSON),
      authenticatorData: b64url(authData),
      signature: b64url(signature),
      userHandle: b64url(credential.userHandle),
    },
    authenticatorAttachment: 'platform',
  };
}
