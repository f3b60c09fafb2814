import { eq } from 'drizzle-orm';
import { getDb } from '@/lib/db/client';
import { users } from '@/lib/db/schema';

/**
 * The benchmark's floor, copied to `app/bench-floor.txt/route.ts` in the bench's own build only:
 * a plain route handler doing one primary-key SELECT through the app's database driver, with
 * nothing of Chirpy's around it. Every scenario is reported as a ratio to it.
 *
 * The `.txt` path keeps it out of the proxy's matcher (which skips a plain GET of a static-looking
 * file), so the floor is the framework and the driver alone; the harness checks this at start.
 */
export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const id = new URL(request.url).searchParams.get('id') ?? '';
  const db = await getDb();
  const [row] = await db.select({ id: users.id, createdAt: users.createdAt }).from(users).where(eq(users.id, id));
  return row ? Response.json(row) : Response.json({ error: 'not found' }, { status: 404 });
}
