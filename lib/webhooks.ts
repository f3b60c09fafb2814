import 'server-only';
import { z } from 'zod';
import { getPolkaKey } from './config';
import { readAuthorization, secretsEqual } from './http/authorization';

/** Polka, the payment provider, calls us with `Authorization: ApiKey <POLKA_KEY>`. */
export function isPolkaRequest(headers: Headers): boolean {
  const expected = getPolkaKey();
  const authorization = readAuthorization(headers, 'ApiKey');
  // With no key configured, nobody is Polka: fail closed.
  if (expected === undefined || !authorization.present || !authorization.ok) return false;
  return secretsEqual(authorization.credentials, expected);
}

export type PolkaEvent = { kind: 'user.upgraded'; userId: string } | { kind: 'ignored' };

const upgradeDataSchema = z.object(
  { user_id: z.guid('data.user_id must be a UUID') },
  { error: 'data must be an object with a user_id' },
);

/** Every event but `user.upgraded` is acknowledged and ignored, so Polka stops retrying it. */
export const polkaEventSchema = z
  .object({ event: z.string({ error: 'event must be a string' }), data: z.unknown().optional() })
  .transform((envelope, context): PolkaEvent => {
    if (envelope.event !== 'user.upgraded') return { kind: 'ignored' };
    const data = upgradeDataSchema.safeParse(envelope.data);
    if (data.success) return { kind: 'user.upgraded', userId: data.data.user_id };
    context.addIssue({ code: 'custom', message: data.error.issues[0]?.message ?? 'data is invalid' });
    return z.NEVER;
  });
