import { withErrorBoundary } from '@/lib/auth/route-boundary';
import { isDevPlatform } from '@/lib/config';
import { errorResponse, jsonResponse } from '@/lib/http/responses';
import { deleteAllUsers } from '@/lib/users';

/** Wipes every user (and with them every chirp and token). Only where PLATFORM=dev. */
export const POST = withErrorBoundary('POST /admin/reset', async () => {
  if (!isDevPlatform()) return errorResponse(403, 'Reset is only allowed when PLATFORM=dev');
  const deleted = await deleteAllUsers();
  return jsonResponse({ deleted_users: deleted });
});
