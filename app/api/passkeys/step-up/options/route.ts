import { startPasskeyAssertion } from '@/lib/auth/passkey-ceremonies';
import { declareSignedInOptionsRoute } from '@/lib/auth/passkey-responses';

/**
 * The account page's "confirm with a passkey": a challenge for one of the caller's own passkeys,
 * whose assertion a sensitive form then carries instead of the current password.
 */
export const POST = declareSignedInOptionsRoute(
  {
    path: '/api/passkeys/step-up/options',
    summary: "Confirm it is you with one of your passkeys: WebAuthn request options for the caller's own",
    answer: 'The options for startAuthentication, with Set-Cookie',
  },
  (user, rp, secure, context) => startPasskeyAssertion('step_up', user, rp, secure, context),
);
