import { resetReportSchema } from '@/lib/api-shapes';
import { declareRoute, refuseUnless } from '@/lib/auth/declared-route';
import { isDevPlatform } from '@/lib/config';
import { jsonResponse } from '@/lib/http/responses';
import { deleteAllUsers } from '@/lib/users';

/** Wipes every user (and with them every chirp and token). Only where PLATFORM=dev. */
export const POST = declareRoute(
  {
    method: 'POST',
    path: '/admin/reset',
    summary: 'Delete every user (PLATFORM=dev only)',
    tags: ['Operations'],
    auth: 'none',
    responses: {
      200: { description: 'How many users were deleted', body: resetReportSchema },
    },
  },
  async () => jsonResponse({ deleted_users: await deleteAllUsers() }),
  refuseUnless(() => isDevPlatform(), 403, 'Reset is only allowed when PLATFORM=dev', 'Not a dev platform'),
);
