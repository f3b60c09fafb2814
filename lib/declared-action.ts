import 'server-only';
import { cookies as requestCookies, headers as requestHeaders } from 'next/headers';
import type { z } from 'zod';
import { type CurrentSession, getCurrentSession } from './auth/current-user';
import {
  authenticationResponseSchema,
  parseResponseField,
  relyingPartyFor,
  stepUpWithPasskey,
} from './auth/passkey-ceremonies';
import { currentPasswordSchema, stepUpForChange } from './auth/password-account';
import { takeChallenge } from './auth/webauthn-challenges';
import type { User } from './db/schema';
import { changeRefusal, type FormRefusal } from './form-states';
import { withActionBoundary } from './http/boundary';
import { isSecureRequest, type RequestContext, requestContext } from './http/request-context';
import type { MessageCode } from './messages';
import { issueCode } from './rule-codes';

/**
 * A server action as a declaration: who may call it, what its form holds, what vouches for a
 * sensitive change, and how its form says no. The helper does what every action needs, in this
 * order, and hands the handler what it found:
 *
 * 1. `closed`: a feature that can be turned off refuses first, with the code it names;
 * 2. `auth: 'session'`: the signed-in session (an action is an endpoint anyone can post to,
 *    whatever page rendered the form), refusing with `signed_out`;
 * 3. `input`: the form's fields through the zod schema, refusing with the catalogue code the
 *    broken rule names;
 * 4. `stepUp: 'current_password'`: the form's `current_password` proves the session's owner is
 *    at the keyboard (lib/auth/password-account.ts stepUpForChange, with the sign-in limits and
 *    the audit of a wrong one), refusing as a change would; the handler gets the account.
 *    `stepUp: 'current_password_or_passkey'`: the same, or instead the account's own passkey,
 *    whose assertion (JSON, filled in by a page script) comes in the form's `passkey_assertion`
 *    against the step-up challenge this browser was given (lib/auth/passkey-ceremonies.ts
 *    stepUpWithPasskey);
 * 5. faults (bugs, a database that does not answer) become the form's refusal with a catalogue
 *    code, through withActionBoundary.
 *
 * Every refusal is one FormRefusal handed to `refuse`, which builds the form's state from it and
 * from what was submitted (so a form keeps what was typed). A declaration without `refuse` is a
 * plain form action (`<form action={…}>`) with no state to answer with.
 */

type ActionAuth = 'none' | 'session';

/** What can stand in for the current password on a sensitive form. */
type StepUpMethod = 'current_password' | 'current_password_or_passkey';

type ActionDeclaration<Auth extends ActionAuth, Schema extends z.ZodType | undefined, Step> = {
  /** Names the action in the fault log. */
  name: string;
  auth: Auth;
  input?: Schema;
  /** A step-up vouches for a signed-in session's owner: only with auth: 'session'. */
  stepUp?: Auth extends 'session' ? Step : never;
  closed?: () => MessageCode | null;
};

type InputOf<Schema> = Schema extends z.ZodType ? z.output<Schema> : undefined;

export type ActionCall<Auth extends ActionAuth, Input, Step, State> = {
  input: Input;
  session: Auth extends 'session' ? CurrentSession : null;
  /** The account as the step-up read it, for the change to start from. */
  account: Step extends StepUpMethod ? User : null;
  context: RequestContext;
  headers: Headers;
  formData: FormData;
  /** The form's refusal for a reason the handler found. */
  refuse: (code: MessageCode, retryAfterSeconds?: number | null) => State;
};

type Refuse<State> = (refusal: FormRefusal, formData: FormData) => State;

/** A form whose action answers with a state (`useActionState`). */
export function declareAction<
  State,
  Auth extends ActionAuth,
  Schema extends z.ZodType | undefined = undefined,
  Step extends StepUpMethod | undefined = undefined,
>(
  declaration: ActionDeclaration<Auth, Schema, Step> & { refuse: Refuse<State> },
  handler: (call: ActionCall<Auth, InputOf<Schema>, Step, State>) => Promise<State>,
): (previous: State, formData: FormData) => Promise<State>;

/** A plain form action: nothing to answer with but a redirect. */
export function declareAction<
  Auth extends ActionAuth,
  Schema extends z.ZodType | undefined = undefined,
  Step extends StepUpMethod | undefined = undefined,
>(
  declaration: ActionDeclaration<Auth, Schema, Step> & { refuse?: undefined },
  handler: (call: ActionCall<Auth, InputOf<Schema>, Step, void>) => Promise<undefined>,
): (formData: FormData) => Promise<undefined>;

export function declareAction(
  declaration: ActionDeclaration<ActionAuth, z.ZodType | undefined, StepUpMethod | undefined> & {
    refuse?: Refuse<unknown>;
  },
  handler: (call: ActionCall<ActionAuth, unknown, StepUpMethod | undefined, unknown>) => Promise<unknown>,
): ((previous: unknown, formData: FormData) => Promise<unknown>) | ((formData: FormData) => Promise<unknown>) {
  if (declaration.stepUp !== undefined && declaration.auth !== 'session') {
    throw new Error(`${declaration.name}: a step-up vouches for a signed-in session's owner; declare auth: 'session'`);
  }
  const { refuse } = declaration;
  if (refuse === undefined) {
    return withActionBoundary(
      declaration.name,
      (_code, _formData: FormData) => undefined,
      (formData: FormData) => perform(declaration, handler, formData, () => undefined),
    );
  }
  return withActionBoundary(
    declaration.name,
    (code, _previous: unknown, formData: FormData) => refuse({ code, retryAfterSeconds: null }, formData),
    (_previous: unknown, formData: FormData) => perform(declaration, handler, formData, refuse),
  );
}

async function perform(
  declaration: ActionDeclaration<ActionAuth, z.ZodType | undefined, StepUpMethod | undefined>,
  handler: (call: ActionCall<ActionAuth, unknown, StepUpMethod | undefined, unknown>) => Promise<unknown>,
  formData: FormData,
  refuse: Refuse<unknown>,
): Promise<unknown> {
  const refuseWith = (code: MessageCode, retryAfterSeconds: number | null = null) =>
    refuse({ code, retryAfterSeconds }, formData);
  const closed = declaration.closed?.() ?? null;
  if (closed !== null) return refuseWith(closed);
  const session = declaration.auth === 'session' ? await getCurrentSession() : null;
  if (declaration.auth === 'session' && session === null) return refuseWith('signed_out');
  const parsed = readInput(declaration.input, formData);
  if (!parsed.ok) return refuseWith(parsed.code);
  const headers = await requestHeaders();
  const context = requestContext(headers);
  let account: User | null = null;
  if (declaration.stepUp !== undefined && session !== null) {
    const stepUp = await performStepUp(declaration.stepUp, session.user.id, formData, headers, context);
    if (!stepUp.ok) return 'code' in stepUp ? refuseWith(stepUp.code) : refuse(changeRefusal(stepUp), formData);
    account = stepUp.user;
  }
  return handler({ input: parsed.input, session, account, context, headers, formData, refuse: refuseWith });
}

/**
 * The step-up's proof from the form: the current password when one was typed (its field's rules
 * checked here, so a form's own schema need not name it); otherwise, where the method allows, a
 * passkey's assertion the form carries. A typed password wins: the person meant it, whatever an
 * earlier passkey attempt left in the hidden field.
 */
async function performStepUp(
  method: StepUpMethod,
  userId: string,
  formData: FormData,
  headers: Headers,
  context: RequestContext,
) {
  const assertion = formData.get('passkey_assertion');
  const password = formData.get('current_password');
  const typed = typeof password === 'string' && password !== '';
  if (method === 'current_password_or_passkey' && !typed && typeof assertion === 'string' && assertion !== '') {
    const secure = isSecureRequest(headers);
    const challenge = await takeChallenge(await requestCookies(), 'step_up', userId, secure);
    const response = parseResponseField(authenticationResponseSchema, assertion);
    return stepUpWithPasskey(userId, response, challenge, relyingPartyFor(headers), context);
  }
  const field = currentPasswordSchema.safeParse(Object.fromEntries(formData));
  if (!field.success) return { ok: false, code: issueCode(field.error) } as const;
  const proof = { by: 'current_password', password: field.data.current_password } as const;
  return stepUpForChange(userId, proof, context);
}

function readInput(
  schema: z.ZodType | undefined,
  formData: FormData,
): { ok: true; input: unknown } | { ok: false; code: MessageCode } {
  if (schema === undefined) return { ok: true, input: undefined };
  const parsed = schema.safeParse(Object.fromEntries(formData));
  return parsed.success ? { ok: true, input: parsed.data } : { ok: false, code: issueCode(parsed.error) };
}
