import type { z } from 'zod';
import { MAX_JSON_BODY_BYTES } from '../config';
import { MESSAGES } from '../messages';

/** A request that could not be read: the status and message to answer with. */
export type BadInput = { ok: false; status: 400 | 413 | 415; error: string };
export type Parsed<T> = { ok: true; data: T } | BadInput;

const tooLarge = (): BadInput => ({
  ok: false,
  status: 413,
  error: `Request body is larger than ${MAX_JSON_BODY_BYTES / 1024} KiB`,
});
const badRequest = (error: string): BadInput => ({ ok: false, status: 400, error });
const notJson = (): BadInput => ({ ok: false, status: 415, error: MESSAGES.json_required });

/** Reads at most the limit, whatever Content-Length claims, so a large or endless body costs nothing. */
async function readText(request: Request): Promise<Parsed<string>> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_JSON_BODY_BYTES) return tooLarge();
  if (request.body === null) return { ok: true, data: '' };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const chunk = await readChunk(reader);
    if (chunk === null) return badRequest('Request body could not be read: the client closed the request');
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > MAX_JSON_BODY_BYTES) {
      await reader.cancel();
      return tooLarge();
    }
    chunks.push(value);
  }
  try {
    return { ok: true, data: new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)) };
  } catch {
    return badRequest('Request body must be UTF-8');
  }
}

/**
 * A client that hangs up mid-body makes the read fail (ECONNRESET, "aborted"). That is the
 * client's doing, not a fault of ours, and must not be mistaken for the database going away.
 */
async function readChunk(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<ReadableStreamReadResult<Uint8Array> | null> {
  try {
    return await reader.read();
  } catch {
    return null;
  }
}

/** The first problem zod found, phrased for the client: `field: message`. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'Invalid request';
  const field = issue.path.join('.');
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${field} is required`;
  return issue.message;
}

function validate<T>(schema: z.ZodType<T>, input: unknown): Parsed<T> {
  // zod leaves `input` off its issues unless asked, and describeIssue needs it to tell "missing"
  // from "wrong type". The issue (which may hold a password) never leaves describeIssue.
  const result = schema.safeParse(input, { reportInput: true });
  return result.success ? { ok: true, data: result.data } : badRequest(describeIssue(result.error));
}

/**
 * A JSON body, labelled as one. The label is what stops another site's page: an HTML form can
 * send only text/plain, url-encoded or multipart bodies, and fetch() may send a body without a
 * label, all without asking first, while `application/json` makes the browser ask (a CORS
 * preflight, which nobody answers here). So a JSON text under any other label, or none, is
 * refused, and a sign-up, a sign-in or a reset request cannot come from a visitor's browser.
 * Only a request that has no body at all may lack the label (it is refused as no JSON instead).
 */
export async function readJson<T>(request: Request, schema: z.ZodType<T>): Promise<Parsed<T>> {
  const label = mediaType(request);
  if (label !== undefined && label !== 'application/json') return notJson();
  const text = await readText(request);
  if (!text.ok) return text;
  if (label === undefined && text.data !== '') return notJson();
  let input: unknown;
  try {
    input = JSON.parse(text.data);
  } catch {
    return badRequest('Request body must be valid JSON');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return badRequest('Request body must be a JSON object');
  }
  return validate(schema, input);
}

/** The Content-Type without its parameters, lower-cased: `application/json; charset=utf-8` → `application/json`. */
export function mediaType(request: Request): string | undefined {
  return request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
}

/** Query parameters: empty values count as given (and so are validated), repeated ones are refused. */
export function readQuery<T>(url: URL, schema: z.ZodType<T>): Parsed<T> {
  const fields: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (key in fields) return badRequest(`${key} is given more than once`);
    fields[key] = value;
  }
  return validate(schema, fields);
}
