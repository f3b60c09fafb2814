import { cookiesSet, expectStatus, send } from '../harness/http';
import { sessionCookieNames } from '../lib/auth/cookies';
import type { LoadRequest, LoadTarget, LoadVariation } from './load';
import {
  ACCOUNTS,
  AUTHORS,
  authorEmail,
  countRotations,
  createSessions,
  deletePostedChirps,
  deleteSessions,
  OWN_CHIRPS,
  PASSWORD,
} from './seed';
import { FLOOR_PATH, PAGE_FLOOR_PATH } from './server';
import type { BenchSql } from './sql';
import type { Measurement } from './stats';

/**
 * What each scenario sends, made fresh before each run (tokens that are valid now, cookies never
 * used), and what it checks afterwards beyond the answers' statuses.
 */

export type BenchContext = {
  port: number;
  sql: BenchSql;
  floorUserId: string;
  chirpId: string;
  /** Bearer refresh tokens of their own sessions, as many API clients would hold. */
  bearerPool: string[];
};

/** A run about to start: the floor's throughput just before it (to size one-use pools) and its length. */
export type RunHint = { floorRps: number; seconds: number };

/** After a run, what the database says: problems (none: it did what its answers said) and notes. */
export type Checked = { problems: string[]; notes: string[] };

export type Prepared = {
  target: LoadTarget;
  check?: (measurement: Measurement) => Promise<Checked>;
};

export type Scenario = {
  name: string;
  label: string;
  prepare: (context: BenchContext, hint: RunHint) => Promise<Prepared>;
};

const cookieNames = sessionCookieNames(false);
const JSON_HEADERS = { 'content-type': 'application/json' };

/** A bearer sign-in through the API: an access token (one hour) and a refresh token. */
async function bearerLogin(port: number, email: string): Promise<{ access: string; refresh: string }> {
  const answer = expectStatus(
    await send(port, 'POST', '/api/login', {
      headers: JSON_HEADERS,
      body: JSON.stringify({ email, password: PASSWORD }),
    }),
    200,
    `bearer sign-in of ${email}`,
  );
  const body: unknown = JSON.parse(answer.text);
  if (typeof body !== 'object' || body === null || !('token' in body) || !('refresh_token' in body)) {
    throw new Error(`bearer sign-in of ${email}: no tokens in ${answer.text.slice(0, 200)}`);
  }
  return { access: String(body.token), refresh: String(body.refresh_token) };
}

/** A browser sign-in (the cookie session a page script asks for): the Cookie header a browser then sends. */
async function browserLogin(port: number, email: string): Promise<string> {
  const answer = expectStatus(
    await send(port, 'POST', '/api/login', {
      headers: { ...JSON_HEADERS, 'x-chirpy-session': 'cookie', origin: `http://127.0.0.1:${port}` },
      body: JSON.stringify({ email, password: PASSWORD }),
    }),
    200,
    `browser sign-in of ${email}`,
  );
  const cookies = cookiesSet(answer);
  const access = cookies.get(cookieNames.access);
  const refresh = cookies.get(cookieNames.refresh);
  if (!access || !refresh) throw new Error(`browser sign-in of ${email} set no session cookies`);
  return `${cookieNames.access}=${access}; ${cookieNames.refresh}=${refresh}`;
}

/** A browser session's GET with a live access cookie: no answer may renew it (set a cookie). */
function signedInGet(
  path: string,
  verifyBody: (body: string) => boolean,
  email: string = ACCOUNTS.session,
): Scenario['prepare'] {
  return async (context) => {
    const cookie = await browserLogin(context.port, email);
    return { target: { method: 'GET', path, headers: { cookie }, verifyBody, setCookie: 'never' } };
  };
}

/** Requests numbered from 0, each sending the headers and body `vary` makes for its number. */
function numbered(
  method: LoadRequest['method'],
  path: string,
  vary: (index: number) => LoadVariation,
): { target: Pick<LoadTarget, 'method' | 'path' | 'next'>; sent: () => number } {
  let sent = 0;
  return { target: { method, path, next: () => vary(sent++) }, sent: () => sent };
}

/** A GET with no credentials, to the path `path` gives for the run, whose answer must pass `verifyBody`. */
function plainGet(
  path: (context: BenchContext) => string,
  verifyBody: (body: string, context: BenchContext) => boolean,
): Scenario['prepare'] {
  return async (context) => ({
    target: { method: 'GET', path: path(context), verifyBody: (body) => verifyBody(body, context) },
  });
}

export const floor: Scenario = {
  name: 'floor',
  label: 'floor (one primary-key SELECT)',
  prepare: plainGet(
    (context) => `${FLOOR_PATH}?id=${context.floorUserId}`,
    (body, context) => body.includes(context.floorUserId),
  ),
};

export const healthz: Scenario = {
  name: 'healthz',
  label: 'GET /api/healthz',
  prepare: plainGet(
    () => '/api/healthz',
    (body) => body.includes('"ok"'),
  ),
};

export const chirpById: Scenario = {
  name: 'chirp_by_id',
  label: 'GET /api/chirps/{id}',
  prepare: plainGet(
    (context) => `/api/chirps/${context.chirpId}`,
    (body, context) => body.includes(context.chirpId),
  ),
};

export const meWithCookie: Scenario = {
  name: 'me_cookie',
  label: 'GET /api/me, access cookie',
  prepare: signedInGet('/api/me', (body) => body.includes(ACCOUNTS.session)),
};

export const refreshBearer: Scenario = {
  name: 'refresh_bearer',
  label: 'POST /api/refresh (bearer)',
  prepare: async (context) => {
    const pool = context.bearerPool;
    const { target } = numbered('POST', '/api/refresh', (index) => ({
      headers: { authorization: `Bearer ${pool[index % pool.length] ?? ''}` },
    }));
    return { target: { ...target, verifyBody: (body) => body.includes('"token"') } };
  },
};

export const postChirp: Scenario = {
  name: 'post_chirp_bearer',
  label: 'POST /api/chirps (bearer)',
  prepare: async (context) => {
    const { access } = await bearerLogin(context.port, ACCOUNTS.poster);
    return {
      target: {
        method: 'POST',
        path: '/api/chirps',
        headers: { ...JSON_HEADERS, authorization: `Bearer ${access}` },
        body: JSON.stringify({ body: 'Benchmarking is a kind of kerfuffle, measured.' }),
        verifyBody: (body) => body.includes('"id"'),
      },
      // Each 201 must be a row; removing them keeps the table at its size for the next run.
      check: async (measurement) => {
        const written = await deletePostedChirps(context.sql);
        return {
          problems:
            written < measurement.completed
              ? [`${measurement.completed} chirps answered 201 but only ${written} rows were written`]
              : [],
          notes: [`${written} rows written (SQL)`],
        };
      },
    };
  },
};

// Enough never-used cookies for the run: rotation is slower than the floor, and the pool has room.
const ROTATION_HEADROOM = 1.5;
const MAX_ROTATION_BATCH = 200_000;
let rotationBatches = 0;

export const cookieRotation: Scenario = {
  name: 'cookie_rotation',
  label: 'cookie rotation (GET /api/me)',
  prepare: async (context, hint) => {
    const size = Math.min(MAX_ROTATION_BATCH, Math.ceil(hint.floorRps * hint.seconds * ROTATION_HEADROOM) + 200);
    rotationBatches += 1;
    const marker = `chirpy-bench rotation batch ${rotationBatches}`;
    const { tokens } = await createSessions(context.sql, ACCOUNTS.rotation, 'browser', size, marker);
    // Each request presents a refresh cookie no request has presented before, and no access cookie.
    const { target, sent } = numbered('GET', '/api/me', (index) => ({
      headers: { cookie: `${cookieNames.refresh}=${tokens[index] ?? 'exhausted'}` },
    }));
    return {
      target: {
        ...target,
        maxRequests: size,
        verifyBody: (body) => body.includes(ACCOUNTS.rotation),
        setCookie: 'always',
      },
      check: async (measurement) => {
        const { rotated, successors } = await countRotations(context.sql, marker);
        await deleteSessions(context.sql, marker);
        const problems: string[] = [];
        if (sent() > tokens.length) problems.push(`ran out of never-used cookies (${tokens.length})`);
        if (rotated < measurement.completed) {
          problems.push(`${measurement.completed} answers but only ${rotated} refresh tokens rotated (SQL)`);
        }
        if (successors !== rotated) problems.push(`${rotated} tokens rotated but ${successors} successors issued`);
        const notes = [`${rotated} rotated (SQL)`];
        if (measurement.completed >= tokens.length)
          notes.push(`all ${tokens.length} cookies used before the time was up`);
        return { problems, notes };
      },
    };
  },
};

export const homeSignedIn: Scenario = {
  name: 'home_signed_in',
  label: 'GET / signed in',
  // A 200 for a signed-out page is a fast, wrong answer: the signed-in greeting must be there.
  prepare: signedInGet('/', (body) => body.includes('data-testid="welcome"')),
};

/**
 * A reader whose first page is all their own chirps: each carries its delete control, so this is
 * the heaviest first page a reader can get. Every one of the page's chirps must have its control.
 */
export const homeOwnChirps: Scenario = {
  name: 'home_own_chirps',
  label: 'GET / signed in, 50 own chirps',
  prepare: signedInGet(
    '/',
    (body) => body.includes('data-testid="welcome"') && countOf(body, 'name="confirm">Delete</button>') === OWN_CHIRPS,
    ACCOUNTS.own,
  ),
};

function countOf(text: string, part: string): number {
  return text.split(part).length - 1;
}

/**
 * No budget: a reference. The bench-only page (bench/routes/page-floor.tsx) is the signed-in
 * layout and one paragraph, through the proxy: what any page of this app costs before its content.
 */
export const pageFloor: Scenario = {
  name: 'page_floor',
  label: 'GET /bench-page signed in (reference)',
  prepare: signedInGet(PAGE_FLOOR_PATH, (body) => body.includes('Signed in.')),
};

export const chirpsPage: Scenario = {
  name: 'chirps_page',
  label: 'GET /api/chirps?limit=50',
  prepare: plainGet(
    () => '/api/chirps?limit=50',
    (body) => body.startsWith('[{') && body.includes('"user_id"'),
  ),
};

export const logins: Scenario = {
  name: 'logins',
  label: 'POST /api/login (bearer)',
  prepare: async () => {
    // Spread over many accounts, as sign-ins are; each is a full bcrypt comparison at cost 10.
    const { target } = numbered('POST', '/api/login', (index) => ({
      headers: JSON_HEADERS,
      body: JSON.stringify({ email: authorEmail((index % AUTHORS) + 1), password: PASSWORD }),
    }));
    return { target: { ...target, verifyBody: (body) => body.includes('"refresh_token"') } };
  },
};

/** Phase one, with 1,000 chirps and about 1,000 refresh tokens; each runs between two floor runs. */
export const SMALL_TABLE_SCENARIOS: readonly Scenario[] = [
  healthz,
  chirpById,
  meWithCookie,
  refreshBearer,
  postChirp,
  cookieRotation,
  homeSignedIn,
  homeOwnChirps,
  pageFloor,
  chirpsPage,
];

/** Phase three, after both tables grew to 1,000,000 rows: the ones compared with their phase-one selves. */
export const BIG_TABLE_SCENARIOS: readonly Scenario[] = [chirpsPage, refreshBearer, cookieRotation];

/** Creates the bearer sessions the refresh scenario cycles through. */
export async function createBearerPool(sql: BenchSql, size: number): Promise<string[]> {
  return (await createSessions(sql, ACCOUNTS.refresh, 'bearer', size, 'chirpy-bench bearer pool')).tokens;
}
