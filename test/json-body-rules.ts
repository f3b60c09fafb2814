import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { MESSAGES } from '../lib/messages';
import { expectError, ORIGIN, rawJsonRequest } from './http';

/**
 * The rules every JSON route keeps for its body (lib/http/body.ts): a JSON object, labelled as
 * JSON, of at most 64 KiB. Each route's test file declares them with one call, so every route is
 * held to all of them and a refusal is checked the same way everywhere.
 */

/** Bodies that are not a JSON object: every JSON route must answer each with a 400. */
export const NOT_A_JSON_OBJECT: ReadonlyArray<readonly [label: string, body: string]> = [
  ['malformed JSON', '{"email": "a@example.com",'],
  ['an empty body', ''],
  ['a JSON array', '[{"email": "a@example.com"}]'],
  ['JSON null', 'null'],
  ['a JSON number', '42'],
  ['a JSON string', '"a@example.com"'],
];

/** The 400 message for such a body: whether it parses as JSON at all decides which. */
function notAnObjectMessage(body: string): string {
  try {
    JSON.parse(body);
    return 'Request body must be a JSON object';
  } catch {
    return 'Request body must be valid JSON';
  }
}

/**
 * How a page on another site can send a body without asking first (no CORS preflight): an HTML
 * form's three encodings, or fetch() with a body it does not label. Every JSON route must answer
 * each with a 415, however good the JSON inside.
 */
export const CROSS_SITE_BODY_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=chirpy',
  'missing',
] as const;

export type CrossSiteBodyType = (typeof CROSS_SITE_BODY_TYPES)[number];

/** What a request carries besides its body: the credentials and headers the route needs. */
type Carried = { bearer?: string; headers?: Record<string, string> };

/** `json`'s text, sent as `type` says: the body the route would take, with any label but JSON. */
export function crossSiteBodyRequest(
  method: string,
  path: string,
  json: unknown,
  type: CrossSiteBodyType,
  options: Carried = {},
): NextRequest {
  const headers = new Headers(options.headers);
  if (type !== 'missing') headers.set('content-type', type);
  if (options.bearer !== undefined) headers.set('authorization', `Bearer ${options.bearer}`);
  // Bytes rather than a string, which Request would label text/plain by itself.
  const body = new TextEncoder().encode(JSON.stringify(json));
  return new NextRequest(new URL(path, ORIGIN), { method, headers, body });
}

/** The JSON label as clients also write it: with a charset, in another case. */
export const JSON_WITH_CHARSET = { 'content-type': 'Application/JSON; charset=utf-8' };

const TOO_LARGE = 'Request body is larger than 64 KiB';

/** Just over the 64 KiB limit on request bodies, and otherwise valid-looking JSON. */
export function oversizedJson(fields: Record<string, unknown>): string {
  return JSON.stringify({ ...fields, padding: 'x'.repeat(64 * 1024) });
}

/** One test's request that the route accepts: its body, and what it carries besides. */
export type AcceptedRequest = Carried & { json: Record<string, unknown> };

export type JsonBodyRules<A extends AcceptedRequest> = {
  /** `METHOD /path`: the route the tests send to. */
  route: `${'POST' | 'PUT' | 'PATCH'} /${string}`;
  /** Answers one request: the route's handler, or a wrapper that serves it as Next would. */
  handler: (request: NextRequest) => Promise<Response>;
  /** Sets up one test's world and returns a request the route accepts in it (and what the checks need). */
  arrange: () => Promise<A>;
  /** The status the accepted request gets. */
  acceptedStatus: number;
  /** Checks that a refused request left the world as `arrange` made it: no row, no session, no mail. */
  expectUnchanged?: (arranged: A) => Promise<void>;
  /** Checks that the accepted request did its work, beyond its status. */
  expectAccepted?: (arranged: A, response: Response) => Promise<void>;
};

/** A refusal: the status, the `{"error"}` body, and no cookie set on the way. */
async function expectRefused(response: Response, status: 400 | 413 | 415): Promise<string> {
  expect(response.headers.getSetCookie()).toEqual([]);
  return expectError(response, status);
}

/**
 * The body rules as tests: 400 to each body that is not a JSON object, 415 to a good body under
 * each label another site can send without a preflight, 413 over 64 KiB, each refusal changing
 * nothing; and the JSON label with a charset and in another case is taken.
 */
export function describeJsonBodyRules<A extends AcceptedRequest>(rules: JsonBodyRules<A>): void {
  const space = rules.route.indexOf(' ');
  const method = rules.route.slice(0, space);
  const path = rules.route.slice(space + 1);

  async function refuse(request: (arranged: A) => NextRequest, status: 400 | 413 | 415): Promise<string> {
    const arranged = await rules.arrange();
    const message = await expectRefused(await rules.handler(request(arranged)), status);
    await rules.expectUnchanged?.(arranged);
    return message;
  }

  describe(`${rules.route}: the JSON body`, () => {
    it.each(NOT_A_JSON_OBJECT)('answers 400 to %s, changing nothing', async (_label, body) => {
      const message = await refuse((arranged) => rawJsonRequest(method, path, body, arranged), 400);
      expect(message).toBe(notAnObjectMessage(body));
    });

    it.each(CROSS_SITE_BODY_TYPES)(
      'answers 415 to a good body whose Content-Type is %s (a form or fetch() on another site), changing nothing',
      async (type) => {
        const request = (arranged: A) => crossSiteBodyRequest(method, path, arranged.json, type, arranged);
        expect(await refuse(request, 415)).toBe(MESSAGES.json_required);
      },
    );

    it('answers 413 to a body over 64 KiB, changing nothing', async () => {
      const request = (arranged: A) => rawJsonRequest(method, path, oversizedJson(arranged.json), arranged);
      expect(await refuse(request, 413)).toBe(TOO_LARGE);
    });

    it('takes application/json with a charset, in any case', async () => {
      const arranged = await rules.arrange();
      const headers = { ...arranged.headers, ...JSON_WITH_CHARSET };
      const body = JSON.stringify(arranged.json);
      const response = await rules.handler(rawJsonRequest(method, path, body, { ...arranged, headers }));
      expect(response.status).toBe(rules.acceptedStatus);
      await rules.expectAccepted?.(arranged, response);
    });
  });
}
