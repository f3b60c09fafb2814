import { removeSecondFactor } from '../lib/auth/second-factor';
import { closeDb } from '../lib/db/client';
import { findUserByEmail } from '../lib/users';

/**
 * `npm run mfa:remove -- <email>`: removes an account's authenticator app and recovery codes, for
 * an owner who has lost both. Only after the owner has proved who they are another way (see
 * docs/sessions-and-security.md, "Lost phone and recovery codes"). The removal is an auth event the
 * owner sees in Recent activity ("removed by an administrator"), and the owner gets the same mail
 * as when they turn it off themselves. The password is not touched: the owner signs in with it.
 */
async function main(): Promise<void> {
  const email = process.argv[2]?.trim().toLowerCase();
  if (!email) throw new Error('usage: npm run mfa:remove -- <email>');
  try {
    const user = await findUserByEmail(email);
    if (!user) throw new Error(`no account has the email ${email}`);
    const removed = await removeSecondFactor(user, { ip: null, userAgent: 'operator: npm run mfa:remove' });
    console.log(removed ? `Removed the second factor of ${email}.` : `${email} has no second factor: nothing changed.`);
  } finally {
    await closeDb();
  }
}

main().catch((error: unknown) => {
  console.error(`Removing the second factor failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
