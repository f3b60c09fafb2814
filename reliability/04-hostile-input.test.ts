import fc from 'fast-check';
import type { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ACCESS_COOKIE,
  type ApiSession,
  apiLogin,
  type BrowserSession,
  browserLogin,
  signUp,
} from './harness/accounts';
import { inspect, serverFor, servers } from './harness/client';
import { type AppTable, changedTables, databaseUrl, fingerprint } from './harness/database';
import { reportWhenDone } from './harness/part';
import { type RawRequest, rawSend } from './harness/raw';

/**
 * Property-based fuzzing of every route's body, query, path and headers: wrong types, huge and
 * deep JSON, bytes that are not UTF-8, NUL, odd content types, headers given twice. Whatever
 * arrives, the answer is never a 5xx, it arrives whole, and a 4xx changes nothing in the database
 * (attempts counted by a rate limit and the audit log excepted, where docs/sessions-and-security.md, "Rate limits", says they are).
 */

const RUNS_PER_ROUTE = Number(process.env.RELIABILITY_FUZZ_RUNS ?? 60);
const polkaKey = inject('reliabilityPolkaKey');
const cronSecret = inject('reliabilityCronSecret');

const ID_KINDS = ['chirp', 'session', 'user'] as const;
type Route = { method: string; path: string; id?: (typeof ID_KINDS)[number] };

/**
 * Every route of the app, each with the methods it answers and one it does not: `METHOD path`,
 * where `{chirp}`, `{session}` or `{user}` stands for an id of that kind.
 */
const ROUTES: Route[] = [
  'POST /api/users',
  'PUT /api/users',
  'POST /api/login',
  'POST /api/login/mfa',
  'POST /api/refresh',
  'POST /api/revoke',
  'GET /api/chirps',
  'POST /api/chirps',
  'GET /api/chirps/{chirp}',
  'DELETE /api/chirps/{chirp}',
  'POST /api/polka/webhooks',
  'GET /api/me',
  'GET /api/sessions',
  'DELETE /api/sessions/{session}',
  'POST /api/sessions/revoke-others',
  'POST /api/passkeys/sign-in/options',
  'POST /api/passkeys/sign-in',
  'POST /api/passkeys/registration/options',
  'POST /api/passkeys/step-up/options',
  'GET /api/passkeys/sign-in',
  'GET /api/healthz',
  'GET /api/cron/cleanup',
  'POST /admin/reset',
  'POST /api/email-verification',
  'POST /api/email-verification/confirm',
  'POST /api/email-change/revert',
  'POST /api/me/email-verification',
  'GET /verify-email',
  'GET /revert-email',
  'GET /',
  'POST /',
  'GET /login',
  'POST /login',
  'GET /login/code',
  'POST /login/code',
  'GET /signup',
  'GET /users/{user}',
  'PATCH /api/chirps',
].map(parseRoute);

function parseRoute(line: string): Route {
  const [method = '', path = ''] = line.split(' ');
  const id = ID_KINDS.find((kind) => path.includes(`{${kind}}`));
  return id === undefined ? { method, path } : { method, path: path.replace(`{${id}}`, '{id}'), id };
}

let session: ApiSession;
let browser: BrowserSession;
let someChirpId: string;
let database: Client;
const outcomes: Record<string, number> = {};
let cases = 0;
// Each fuzz case goes out through the raw client, which the request count does not see.
reportWhenDone('hostile input', (sent) => ({ requests: sent + cases, fuzzCases: cases, statuses: outcomes }));

beforeAll(async () => {
  const account = await signUp(serverFor(0), 'fuzz');
  session = await apiLogin(serverFor(1), account);
  const victim = await signUp(serverFor(1), 'fuzzvictim');
  browser = await browserLogin(serverFor(0), victim);
  const { default: pg } = await import('pg');
  database = new pg.Client({ connectionString: databaseUrl });
  await database.connect();
  const { rows } = await database.query<{ id: string }>('select id from chirps limit 1');
  someChirpId = rows[0]?.id ?? '00000000-0000-4000-8000-000000000000';
});

afterAll(async () => {
  await database?.end();
});

// ---- the pieces of a hostile request ----

const latin1 = (codes: number[]) => String.fromCharCode(...codes);
/** A string whose chars are bytes: anything but CR and LF, which would end the header line. */
const headerBytes = fc
  .array(
    fc.integer({ min: 0, max: 255 }).filter((byte) => byte !== 10 && byte !== 13),
    { maxLength: 60 },
  )
  .map(latin1);

const junkText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'null',
    'undefined',
    '{}',
    '[]',
    '../../etc/passwd',
    '%00',
    '\u202e',
    '🐦'.repeat(50),
  ),
);

/** A path segment as sent: percent-encoded junk, raw high bytes, dots, NUL, very long ones. */
const segment = fc.oneof(
  fc.uuid().map(String),
  fc.constantFrom(
    'real',
    '00000000-0000-0000-0000-000000000000',
    '..',
    '.',
    '%2e%2e',
    '%00',
    '%ff%fe',
    '%',
    '%zz',
    'a%2Fb',
    '',
  ),
  fc.string({ maxLength: 30 }).map((text) => encodeURIComponent(text)),
  fc.array(fc.integer({ min: 0x21, max: 0xff }), { maxLength: 20 }).map(latin1),
  fc.integer({ min: 1, max: 6_000 }).map((length) => 'a'.repeat(length)),
);

const queryKey = fc.oneof(
  fc.constantFrom('author_id', 'sort', 'limit', 'cursor', 'next'),
  junkText.map(encodeURIComponent),
);
const queryValue = fc.oneof(
  junkText.map(encodeURIComponent),
  fc.constantFrom('asc', 'desc', '0', '-1', '101', '1e3', '99999999999999999999', 'MjAyNi0w', '%', '%ff', '%00'),
  fc.uuid().map(String),
);
const query = fc.oneof(
  fc.constant(''),
  fc
    .array(fc.tuple(queryKey, queryValue), { maxLength: 6 })
    .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([key, value]) => `${key}=${value}`).join('&')}`)),
);

const deepJson = fc
  .integer({ min: 1, max: 30_000 })
  .chain((depth) =>
    fc.constantFrom('['.repeat(depth) + ']'.repeat(depth), `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  );
const shapedFields = fc.record(
  {
    email: fc.oneof(fc.jsonValue(), fc.emailAddress(), junkText),
    password: fc.oneof(fc.jsonValue(), fc.string({ maxLength: 100 }), junkText),
    body: fc.oneof(fc.jsonValue(), fc.string({ maxLength: 200 }), junkText),
    event: fc.oneof(fc.constant('user.upgraded'), fc.jsonValue()),
    data: fc.oneof(fc.record({ user_id: fc.oneof(fc.uuid().map(String), fc.jsonValue()) }), fc.jsonValue()),
    next: fc.oneof(fc.constantFrom('//evil.example', '/\\evil.example', 'https://evil.example'), junkText),
    response: fc.oneof(
      fc.jsonValue(),
      fc.record({
        id: junkText,
        rawId: junkText,
        type: fc.constantFrom('public-key', 'password'),
        response: fc.record({ clientDataJSON: junkText, authenticatorData: junkText, signature: junkText }),
      }),
    ),
  },
  { requiredKeys: [] },
);

/** Bodies: JSON of every shape, the right fields with the wrong types, and bytes that are not JSON at all. */
const body = fc.oneof(
  { weight: 4, arbitrary: shapedFields.map((value) => Buffer.from(JSON.stringify(value))) },
  { weight: 2, arbitrary: fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? '')) },
  { weight: 1, arbitrary: deepJson.map((text) => Buffer.from(text)) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 60 * 1024, max: 80 * 1024 })
      .map((size) => Buffer.from(JSON.stringify({ email: 'a@b.example', password: 'x'.repeat(size) }))),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      Buffer.from('{"email":"a\u0000b@example.com","password":"correct horse\u0000battery"}'),
      Buffer.from('{"body":"nul\\u0000inside"}'),
      Buffer.from([0x7b, 0x22, 0x62, 0x6f, 0x64, 0x79, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
      Buffer.from('\uFEFF{"email":"bom@example.com","password":"12345678"}'),
      Buffer.from('{"email":"x@example.com","email":"y@example.com","password":"12345678"}'),
      Buffer.alloc(0),
    ),
  },
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=----x',
  'application/xml',
  '*/*',
  '',
  'application/json, text/html',
);

type Credential = 'none' | 'access' | 'refresh' | 'browser access' | 'polka' | 'cron' | 'junk';
// A valid access token most often, so that bodies reach the handlers behind authentication.
const credential = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Credential>('access') },
  { weight: 3, arbitrary: fc.constantFrom<Credential>('none', 'refresh', 'browser access', 'polka', 'cron', 'junk') },
);

const extraHeader = fc.oneof(
  fc.tuple(fc.constant('Content-Type'), contentType),
  fc.tuple(
    fc.constant('Authorization'),
    fc.oneof(junkText, headerBytes, fc.constantFrom('Bearer', 'Bearer  a b', 'Basic eDp5')),
  ),
  fc.tuple(fc.constant('Cookie'), fc.oneof(headerBytes, fc.constant(`${ACCESS_COOKIE}=junk; ${ACCESS_COOKIE}=more`))),
  fc.tuple(
    fc.constant('X-Forwarded-For'),
    fc.oneof(headerBytes, fc.constantFrom('', ',,,', '::1', '1.2.3.4, 5.6.7.8')),
  ),
  fc.tuple(fc.constant('X-Forwarded-Host'), headerBytes),
  fc.tuple(fc.constant('X-Forwarded-Proto'), fc.constantFrom('https', 'http', 'gopher', '')),
  fc.tuple(fc.constant('Origin'), fc.oneof(headerBytes, fc.constantFrom('null', 'https://evil.example'))),
  fc.tuple(fc.constant('Sec-Fetch-Site'), fc.constantFrom('same-origin', 'cross-site', 'same-site', 'none', '')),
  fc.tuple(fc.constant('User-Agent'), headerBytes),
  fc.tuple(fc.constant('X-Chirpy-Session'), fc.constantFrom('cookie', 'bearer', '')),
  fc.tuple(
    fc.constant('Next-Action'),
    fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 40, maxLength: 42 }), headerBytes),
  ),
  fc.tuple(fc.constant('Accept'), fc.constantFrom('text/x-component', 'application/json', '*/*', 'text/html')),
  fc.tuple(fc.constant('RSC'), fc.constantFrom('1', '0')),
  fc.tuple(fc.constant('Content-Encoding'), fc.constantFrom('gzip', 'br', 'identity')),
  fc.tuple(fc.constant('Expect'), fc.constantFrom('100-continue', 'nonsense')),
  fc.tuple(
    headerBytes.filter((name) => /^[A-Za-z0-9-]{1,40}$/.test(name)),
    headerBytes,
  ),
);

function credentialHeader(kind: Credential): Array<[string, string]> {
  switch (kind) {
    case 'none':
      return [];
    case 'access':
      return [['Authorization', `Bearer ${session.token}`]];
    case 'refresh':
      return [['Authorization', `Bearer ${session.refreshToken}`]];
    case 'browser access':
      // The access cookie alone: never a refresh cookie, whose renewal a 4xx answer may follow.
      return [['Cookie', `${ACCESS_COOKIE}=${browser.access}`]];
    case 'polka':
      return [['Authorization', `ApiKey ${polkaKey}`]];
    case 'cron':
      return [['Authorization', `Bearer ${cronSecret}`]];
    case 'junk':
      return [['Authorization', 'Bearer eyJhbGciOiJub25lIn0.e30.']];
  }
}

const hostileRequest = (route: Route) =>
  fc
    .record({
      method: fc.oneof(
        { weight: 6, arbitrary: fc.constant(route.method) },
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH'),
      ),
      id: segment,
      extraSegment: fc.option(segment, { freq: 5 }),
      query,
      credential,
      headers: fc.array(extraHeader, { maxLength: 6 }),
      duplicated: fc.boolean(),
      body: fc.option(body, { freq: 8 }),
    })
    .map((parts): RawRequest => {
      const id = route.id === 'chirp' && parts.id === 'real' ? someChirpId : parts.id;
      let path = route.path.replace('{id}', id);
      if (parts.extraSegment !== null) path = `${path}/${parts.extraSegment}`;
      const headers: Array<[string, string]> = [...credentialHeader(parts.credential), ...parts.headers];
      // Every header given twice, the second time with another value.
      if (parts.duplicated) headers.push(...headers.map(([name]): [string, string] => [name, 'duplicate']));
      return { method: parts.method, target: `${path}${parts.query}`, headers, body: parts.body ?? Buffer.alloc(0) };
    });

/** Tables a refused attempt may still write to: rate-limit counters and the audit log's record of it. */
function allowedChanges(request: RawRequest, status: number): AppTable[] {
  const counted =
    status === 429 ||
    (request.method === 'POST' && request.target.startsWith('/api/login') && status === 401) ||
    (request.method === 'POST' && request.target.startsWith('/api/users') && status === 409) ||
    // A credentials change is counted as a password attempt, and a wrong current password is recorded.
    (request.method === 'PUT' && request.target.startsWith('/api/users') && (status === 403 || status === 409));
  // A right password to an account with a second factor answers 401 with a new pending step.
  const pendingStep = request.method === 'POST' && request.target.startsWith('/api/login') && status === 401;
  if (pendingStep) return ['rate_limits', 'auth_events', 'sign_in_challenges'];
  return counted ? ['rate_limits', 'auth_events'] : [];
}

describe('hostile input to every route', () => {
  for (const [index, route] of ROUTES.entries()) {
    it(`${route.method} ${route.path}: never a 5xx, always a whole answer, and a 4xx changes nothing`, async () => {
      const server = serverFor(index);
      await fc.assert(
        fc.asyncProperty(hostileRequest(route), async (request) => {
          cases += 1;
          const before = await fingerprint(database);
          const reply = await rawSend(server, request);
          const after = await fingerprint(database);
          outcomes[String(reply.status)] = (outcomes[String(reply.status)] ?? 0) + 1;
          inspect(`fuzz ${request.method} ${request.target.slice(0, 60)}`, reply);
          expect(reply.complete, 'the whole answer arrived').toBe(true);
          expect(
            reply.status,
            `${request.method} ${request.target.slice(0, 120)}: ${reply.body.slice(0, 300)}`,
          ).toBeLessThan(500);
          if (reply.status >= 400) {
            const allowed = allowedChanges(request, reply.status);
            const changed = changedTables(before, after).filter((table) => !allowed.includes(table));
            expect(
              changed,
              `${reply.status} to ${request.method} ${request.target.slice(0, 120)} changed the database`,
            ).toEqual([]);
          }
        }),
        { numRuns: RUNS_PER_ROUTE, endOnFailure: true },
      );
    });
  }

  it('the servers survived it all', async () => {
    for (const server of servers) expect(() => process.kill(server.pid, 0)).not.toThrow();
  });
});
