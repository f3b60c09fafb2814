import { z } from 'zod';
import * as adminReset from '@/app/admin/reset/route';
import * as chirpById from '@/app/api/chirps/[chirpID]/route';
import * as chirps from '@/app/api/chirps/route';
import * as cronCleanup from '@/app/api/cron/cleanup/route';
import * as emailChangeRevert from '@/app/api/email-change/revert/route';
import * as emailVerificationConfirm from '@/app/api/email-verification/confirm/route';
import * as emailVerification from '@/app/api/email-verification/route';
import * as healthz from '@/app/api/healthz/route';
import * as loginMfa from '@/app/api/login/mfa/route';
import * as login from '@/app/api/login/route';
import * as meEmailVerification from '@/app/api/me/email-verification/route';
import * as me from '@/app/api/me/route';
import * as passkeyRegistrationOptions from '@/app/api/passkeys/registration/options/route';
import * as passkeySignInOptions from '@/app/api/passkeys/sign-in/options/route';
import * as passkeySignIn from '@/app/api/passkeys/sign-in/route';
import * as passkeyStepUpOptions from '@/app/api/passkeys/step-up/options/route';
import * as passwordResetConfirm from '@/app/api/password-reset/confirm/route';
import * as passwordReset from '@/app/api/password-reset/route';
import * as polkaWebhooks from '@/app/api/polka/webhooks/route';
import * as refresh from '@/app/api/refresh/route';
import * as revoke from '@/app/api/revoke/route';
import * as sessionById from '@/app/api/sessions/[sessionID]/route';
import * as revokeOthers from '@/app/api/sessions/revoke-others/route';
import * as sessions from '@/app/api/sessions/route';
import * as users from '@/app/api/users/route';
import { declareRoute } from '@/lib/auth/declared-route';
import type { AnyRouteDeclaration } from '@/lib/http/declare-route';
import { buildOpenApiDocument } from '@/lib/http/openapi';
import { jsonResponse } from '@/lib/http/responses';

/**
 * The registry is here rather than in lib/: the declarations live with their handlers in the
 * route files, and lib/ never imports app/. A route file missing from this list fails
 * app/api/openapi.json/route.test.ts, which compares the document with the files on disk.
 */
const ROUTE_MODULES: object[] = [
  adminReset,
  chirps,
  chirpById,
  cronCleanup,
  emailVerification,
  emailVerificationConfirm,
  emailChangeRevert,
  healthz,
  login,
  loginMfa,
  me,
  meEmailVerification,
  passkeyRegistrationOptions,
  passkeySignInOptions,
  passkeySignIn,
  passkeyStepUpOptions,
  passwordReset,
  passwordResetConfirm,
  polkaWebhooks,
  refresh,
  revoke,
  sessions,
  sessionById,
  revokeOthers,
  users,
];

const declaredHandler = z.custom<{ declaration: AnyRouteDeclaration }>(
  (value) => typeof value === 'function' && 'declaration' in value,
);

function declarations(): AnyRouteDeclaration[] {
  const fromModules = ROUTE_MODULES.flatMap((module) =>
    Object.values(module).flatMap((value) => {
      const handler = declaredHandler.safeParse(value);
      return handler.success ? [handler.data.declaration] : [];
    }),
  );
  return [...fromModules, GET.declaration];
}

let document: object | null = null;

/** The API's OpenAPI 3.1 document, built once from the route declarations. */
export const GET = declareRoute(
  {
    method: 'GET',
    path: '/api/openapi.json',
    summary: 'This document: the API in OpenAPI 3.1',
    tags: ['Operations'],
    auth: 'none',
    responses: {
      200: { description: 'The OpenAPI 3.1 document', body: z.looseObject({ openapi: z.literal('3.1.0') }) },
    },
  },
  async () => {
    document ??= buildOpenApiDocument(declarations());
    return jsonResponse(document);
  },
);
