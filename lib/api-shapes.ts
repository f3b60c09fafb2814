import { z } from 'zod';
import type { DeclaredResponse } from './http/declare-route';

/**
 * The JSON the API answers with, as schemas: what the OpenAPI document describes and what the
 * route tests hold every answer to (lib/http/declare-route.ts). The mappers that build these
 * (toPublicUser, toPublicChirp, toPublicSession) keep their own types; a drift between the two
 * fails the route tests. Examples are the shapes the tests send and read.
 */

const USER_ID = '3f1c0f2e-8f5b-4c56-9d0a-2a1f0b6c7d8e';
const TIMESTAMP = '2026-01-01T12:00:00.000Z';

const ALICE = {
  id: USER_ID,
  created_at: TIMESTAMP,
  updated_at: TIMESTAMP,
  email: 'alice@example.com',
  is_chirpy_red: false,
};

export const publicUserSchema = z
  .object({
    id: z.guid(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    email: z.string(),
    is_chirpy_red: z.boolean(),
  })
  .meta({ examples: [ALICE] });

export const publicAccountSchema = publicUserSchema
  .extend({ email_verified: z.boolean(), pending_email: z.string().nullable() })
  .meta({ examples: [{ ...ALICE, email_verified: true, pending_email: null }] });

export const pendingEmailChangeSchema = publicUserSchema
  .extend({ pending_email: z.string() })
  .meta({ examples: [{ ...ALICE, pending_email: 'alice@example.org' }] });

export const signedInUserSchema = publicUserSchema.extend({ token: z.string(), refresh_token: z.string() }).meta({
  examples: [
    {
      id: USER_ID,
      created_at: TIMESTAMP,
      updated_at: TIMESTAMP,
      email: 'alice@example.com',
      is_chirpy_red: false,
      token: 'eyJhbGciOiJIUzI1NiJ9.…',
      refresh_token: '5f0c…64 hex characters',
    },
  ],
});

/** The sign-in's answer (`POST /api/login`, and `POST /api/login/mfa` after a second factor). */
export const signedInAnswer: DeclaredResponse = {
  description: 'The user with its tokens, or (cookie session) the user alone with Set-Cookie',
  body: z.union([signedInUserSchema, publicUserSchema]),
};

export const publicChirpSchema = z
  .object({
    id: z.guid(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    body: z.string(),
    user_id: z.guid(),
  })
  .meta({
    examples: [
      {
        id: '9b2d7c1e-0a4f-4e8b-b6d3-5c7e8f9a0b1c',
        created_at: TIMESTAMP,
        updated_at: TIMESTAMP,
        body: 'Hello, world!',
        user_id: USER_ID,
      },
    ],
  });

export const publicSessionSchema = z
  .object({
    id: z.guid(),
    created_at: z.iso.datetime(),
    last_used_at: z.iso.datetime(),
    device: z.string(),
    ip: z.string().nullable(),
    current: z.boolean(),
  })
  .meta({
    examples: [
      {
        id: '0d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a',
        created_at: TIMESTAMP,
        last_used_at: TIMESTAMP,
        device: 'Firefox on Linux',
        ip: '203.0.113.7',
        current: true,
      },
    ],
  });

export const accessTokenSchema = z
  .object({ token: z.string() })
  .meta({ examples: [{ token: 'eyJhbGciOiJIUzI1NiJ9.…' }] });

export const cleanupReportSchema = z.object({
  refresh_tokens: z.number().int(),
  password_reset_tokens: z.number().int(),
  email_tokens: z.number().int(),
  sign_in_challenges: z.number().int(),
  webauthn_challenges: z.number().int(),
  rate_limits: z.number().int(),
  auth_events: z.number().int(),
  batches: z.number().int(),
  duration_ms: z.number(),
});

export const resetReportSchema = z.object({ deleted_users: z.number().int() });

export const healthSchema = z.object({ status: z.literal('ok') });

/**
 * `POST /api/login` for an account with a second factor: the password was right, and no token is
 * given until `POST /api/login/mfa` has the code for this challenge.
 */
export const mfaRequiredSchema = z
  .object({
    error: z.string(),
    code: z.literal('mfa_required'),
    challenge_id: z.string(),
    expires_at: z.iso.datetime(),
  })
  .meta({
    examples: [
      {
        error: 'Enter the code from your authenticator app (or a recovery code) to finish signing in',
        code: 'mfa_required',
        challenge_id: 'q3J9…43 base64url characters',
        expires_at: TIMESTAMP,
      },
    ],
  });
