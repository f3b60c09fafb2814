import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_JSON_BODY_BYTES } from '../config';
import { MESSAGES } from '../messages';
import { describeIssue, mediaType, readJson, readQuery } from './body';

const schema = z.object({ name: z.string({ error: 'name must be a string' }), count: z.number().optional() });

/** A request streaming `body`, declaring the given Content-Length (Node needs `duplex` for a stream). */
function streamed(body: ReadableStream<Uint8Array>, contentLength: number, headers = JSON_TYPE): Request {
  const init: RequestInit & { duplex: 'half' } = {
    method: 'POST',
    body,
    headers: { ...headers, 'content-length': String(contentLength) },
    duplex: 'half',
  };
  return new Request('http://localhost/test', init);
}

const JSON_TYPE: Record<string, string> = { 'content-type': 'application/json' };

function post(body: BodyInit | null, headers: Record<string, string> = JSON_TYPE): Request {
  return new Request('http://localhost/test', { method: 'POST', body, headers });
}

/** A body that never ends, counting what was read and whether the reader gave up. */
function endlessStream() {
  const state = { pulled: 0, cancelled: false };
  const chunk = new Uint8Array(16 * 1024).fill(0x20);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

describe('readJson', () => {
  it('parses a JSON object that matches the schema', async () => {
    expect(await readJson(post('{"name":"chirp","count":2}'), schema)).toStrictEqual({
      ok: true,
      data: { name: 'chirp', count: 2 },
    });
  });

  it.each([
    ['malformed JSON', '{"name":', 'Request body must be valid JSON'],
    ['an empty body', '', 'Request body must be valid JSON'],
    ['an array', '[]', 'Request body must be a JSON object'],
    ['null', 'null', 'Request body must be a JSON object'],
    ['a number', '1', 'Request body must be a JSON object'],
    ['a string', '"name"', 'Request body must be a JSON object'],
    ['a boolean', 'true', 'Request body must be a JSON object'],
  ])('refuses %s with 400', async (_label, body, error) => {
    expect(await readJson(post(body), schema)).toStrictEqual({ ok: false, status: 400, error });
  });

  it('refuses a request without a body with 400', async () => {
    expect(await readJson(post(null), schema)).toStrictEqual({
      ok: false,
      status: 400,
      error: 'Request body must be valid JSON',
    });
  });

  it('tells a missing field from a field of the wrong type', async () => {
    expect(await readJson(post('{}'), schema)).toMatchObject({ status: 400, error: 'name is required' });
    expect(await readJson(post('{"name":7}'), schema)).toMatchObject({ status: 400, error: 'name must be a string' });
    expect(await readJson(post('{"name":null}'), schema)).toMatchObject({
      status: 400,
      error: 'name must be a string',
    });
  });

  it('refuses bytes that are not UTF-8 with 400', async () => {
    const body = new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);

    expect(await readJson(post(body), schema)).toStrictEqual({
      ok: false,
      status: 400,
      error: 'Request body must be UTF-8',
    });
  });

  it('accepts a body of exactly 64 KiB and refuses one byte more with 413', async () => {
    const exactly = JSON.stringify({ name: 'x'.repeat(MAX_JSON_BODY_BYTES - '{"name":""}'.length) });
    expect(Buffer.byteLength(exactly)).toBe(64 * 1024);
    expect(await readJson(post(exactly), schema)).toMatchObject({ ok: true });

    const over = JSON.stringify({ name: 'x'.repeat(MAX_JSON_BODY_BYTES - '{"name":""}'.length + 1) });
    expect(await readJson(post(over), schema)).toStrictEqual({
      ok: false,
      status: 413,
      error: 'Request body is larger than 64 KiB',
    });
  });

  it('counts the limit in bytes: 64 KiB of two-byte characters is too much', async () => {
    const body = JSON.stringify({ name: 'é'.repeat(MAX_JSON_BODY_BYTES / 2) });

    expect(await readJson(post(body), schema)).toMatchObject({ ok: false, status: 413 });
  });

  it('refuses a declared Content-Length over the limit without reading the body', async () => {
    const { stream, state } = endlessStream();
    const request = streamed(stream, MAX_JSON_BODY_BYTES + 1);

    expect(await readJson(request, schema)).toMatchObject({ ok: false, status: 413 });
    expect(state.pulled).toBeLessThanOrEqual(64 * 1024);
  });

  it('stops reading an endless body soon after the limit, whatever the headers claim', async () => {
    const { stream, state } = endlessStream();
    const request = streamed(stream, 10);

    expect(await readJson(request, schema)).toMatchObject({ ok: false, status: 413 });
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeLessThan(4 * MAX_JSON_BODY_BYTES);
  });
});

describe('readJson and the Content-Type', () => {
  const body = '{"name":"chirp"}';

  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8'])(
    'takes a body labelled %s',
    async (type) => {
      expect(await readJson(post(body, { 'content-type': type }), schema)).toStrictEqual({
        ok: true,
        data: { name: 'chirp' },
      });
    },
  );

  // What a page on another site can send without asking first (no CORS preflight), and near misses.
  it.each([
    'text/plain;charset=UTF-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'text/json',
    'application/jsonp',
    '',
  ])('refuses a body labelled %j with 415, however good its JSON', async (type) => {
    expect(await readJson(post(body, { 'content-type': type }), schema)).toStrictEqual({
      ok: false,
      status: 415,
      error: MESSAGES.json_required,
    });
  });

  it('refuses a body with no Content-Type at all with 415 (a script’s fetch() with a Blob body sends none)', async () => {
    const unlabelled = post(new TextEncoder().encode(body), {});
    expect(unlabelled.headers.has('content-type')).toBe(false);
    expect(await readJson(unlabelled, schema)).toMatchObject({ ok: false, status: 415 });
  });

  it('judges the label before reading: an endless body labelled text/plain is a 415, not a 413', async () => {
    const { stream } = endlessStream();
    expect(await readJson(streamed(stream, 10, { 'content-type': 'text/plain' }), schema)).toMatchObject({
      ok: false,
      status: 415,
    });
  });

  it('without a body and without a label, the missing body is what is wrong: 400', async () => {
    expect(await readJson(post(null, {}), schema)).toStrictEqual({
      ok: false,
      status: 400,
      error: 'Request body must be valid JSON',
    });
  });
});

describe('a client that hangs up mid-body', () => {
  it('is a 400 of its own, not an error that could pass for the database going away', async () => {
    const hangUp = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"name":'));
      },
      pull(controller) {
        controller.error(hangUp);
      },
    });
    expect(await readJson(streamed(body, 100), schema)).toStrictEqual({
      ok: false,
      status: 400,
      error: 'Request body could not be read: the client closed the request',
    });
  });
});

describe('readQuery', () => {
  const query = z.object({ sort: z.enum(['asc', 'desc']).default('asc') });

  it('applies defaults and validates given values, empty ones included', () => {
    expect(readQuery(new URL('http://localhost/?'), query)).toStrictEqual({ ok: true, data: { sort: 'asc' } });
    expect(readQuery(new URL('http://localhost/?sort=desc'), query)).toStrictEqual({
      ok: true,
      data: { sort: 'desc' },
    });
    expect(readQuery(new URL('http://localhost/?sort='), query)).toMatchObject({ ok: false, status: 400 });
  });

  it('refuses a repeated parameter', () => {
    expect(readQuery(new URL('http://localhost/?sort=asc&sort=desc'), query)).toStrictEqual({
      ok: false,
      status: 400,
      error: 'sort is given more than once',
    });
  });
});

describe('mediaType', () => {
  it('is the Content-Type without its parameters, lower-cased, or undefined without one', () => {
    expect(mediaType(post('', { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' }))).toBe(
      'application/x-www-form-urlencoded',
    );
    expect(mediaType(post('', { 'content-type': 'Multipart/Form-Data; boundary=x' }))).toBe('multipart/form-data');
    expect(mediaType(post('', { 'content-type': 'application/json' }))).toBe('application/json');
    expect(mediaType(post(null, {}))).toBeUndefined();
  });
});

describe('describeIssue', () => {
  it('names a nested field that is missing by its path', () => {
    const nested = z.object({ data: z.object({ user_id: z.string() }) });
    const result = nested.safeParse({ data: {} });

    expect(result.error && describeIssue(result.error)).toBe('data.user_id is required');
  });
});
