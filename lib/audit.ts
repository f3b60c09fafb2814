import 'server-only';
import { desc, eq } from 'drizzle-orm';
import { getDb } from './db/client';
import { type AuthEvent, authEvents } from './db/schema';
import type { RequestContext } from './http/request-context';

/**
 * The audit log (`auth_events`): what happened to an account, when and from where. It records
 * facts, never a password, token or hash, so it can be shown to the account's owner as it is.
 */

export type AuthEventType = AuthEvent['type'];

export type AuthEventInput = {
  type: AuthEventType;
  userId: string | null;
  sessionId?: string | null;
  detail?: string | null;
  context: RequestContext;
};

function toRow(event: AuthEventInput) {
  return {
    type: event.type,
    userId: event.userId,
    sessionId: event.sessionId ?? null,
    detail: event.detail ?? null,
    ip: event.context.ip,
    userAgent: event.context.userAgent,
  };
}

export async function recordAuthEvent(event: AuthEventInput): Promise<void> {
  const db = await getDb();
  await db.insert(authEvents).values(toRow(event));
}

/** Several events in one statement (ending many sessions at once). */
export async function recordAuthEvents(events: AuthEventInput[]): Promise<void> {
  if (events.length === 0) return;
  const db = await getDb();
  await db.insert(authEvents).values(events.map(toRow));
}

/** The account page's list: the user's most recent events, newest first. */
export async function listRecentAuthEvents(userId: string, limit = 20): Promise<AuthEvent[]> {
  const db = await getDb();
  return db
    .select()
    .from(authEvents)
    .where(eq(authEvents.userId, userId))
    .orderBy(desc(authEvents.createdAt), desc(authEvents.id))
    .limit(limit);
}
