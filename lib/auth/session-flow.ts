import 'server-only';
import type { User } from '../db/schema';
import type { RequestContext } from '../http/forwarded';
import { type Credentials, verifyCredentials } from '../users';
import type { SessionCookieValues } from './cookies';
import { createSession, type RefreshFailure, rotateRefreshToken, type SessionClient } from './sessions';
import { type IssuedToken, issueAccessToken, issueSessionAccessToken } from './tokens';

/** The flows that hand a client a token pair: signing in, and renewing a browser session. */

export type StartedSession = {
  user: User;
  sessionId: string;
  tokens: { access: IssuedToken; refresh: IssuedToken };
};

export async function startSession(
  user: User,
  client: SessionClient,
  context: RequestContext,
): Promise<StartedSession> {
  const { sessionId, refreshToken } = await createSession(user.id, client, context);
  const access =
    client === 'browser' ? await issueSessionAccessToken(user.id, sessionId) : await issueAccessToken(user.id);
  return { user, sessionId, tokens: { access, refresh: refreshToken } };
}

export async function signIn(
  credentials: Credentials,
  client: SessionClient,
  context: RequestContext,
): Promise<({ ok: true } & StartedSession) | { ok: false }> {
  const user = await verifyCredentials(credentials.email, credentials.password);
  if (!user) return { ok: false };
  return { ok: true, ...(await startSession(user, client, context)) };
}

export type Renewal = { ok: true; cookies: SessionCookieValues } | { ok: false; reason: RefreshFailure };

/** Rotates the refresh cookie's token and issues a fresh access token for the same session. */
export async function renewBrowserSession(refreshToken: string, context: RequestContext): Promise<Renewal> {
  const rotation = await rotateRefreshToken(refreshToken, context);
  if (!rotation.ok) return rotation;
  const access = await issueSessionAccessToken(rotation.userId, rotation.sessionId);
  return { ok: true, cookies: { access, refresh: rotation.refreshToken } };
}
