import { startPasskeyRegistration } from '@/lib/auth/passkey-ceremonies';
import { declareSignedInOptionsRoute } from '@/lib/auth/passkey-responses';

/**
 * The account page's "add a passkey", first step: creation options for the caller. The passkey
 * is kept only by the form that follows (app/actions/passkeys.ts), after its step-up.
 */
export const POST = declareSignedInOptionsRoute(
  {
    path: '/api/passkeys/registration/options',
    summary: 'Start adding a passkey: WebAuthn creation options, the challenge bound to a cookie',
    answer: 'The options for startRegistration, with Set-Cookie',
  },
  startPasskeyRegistration,
);
