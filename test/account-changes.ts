import { type AccountChange, changeEmail, changePassword, stepUpForChange } from '@/lib/auth/password-account';
import type { User } from '@/lib/db/schema';
import type { RequestContext } from '@/lib/http/request-context';

/**
 * The account page's changes as its actions make them (app/actions/account.ts): the step-up with
 * the current password, then the change for the account it vouched for.
 */

type Change = (
  account: User,
  value: string,
  currentSessionId: string | null,
  context: RequestContext,
) => Promise<AccountChange>;

function afterStepUp(change: Change) {
  return async (
    userId: string,
    currentPassword: string,
    value: string,
    currentSessionId: string | null,
    context: RequestContext,
  ): Promise<AccountChange> => {
    const owner = await stepUpForChange(userId, { by: 'current_password', password: currentPassword }, context);
    return owner.ok ? change(owner.user, value, currentSessionId, context) : owner;
  };
}

export const changePasswordWith = afterStepUp(changePassword);
export const changeEmailWith = afterStepUp(changeEmail);
