import { readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jsonOf, makeRequest } from '@/test/http';
import { GET } from './route';

const APP = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(path);
    return entry.name === 'route.ts' ? [path] : [];
  });
}

/** `app/api/chirps/[chirpID]/route.ts` → `/api/chirps/{chirpID}`. */
function documentPath(file: string): string {
  return `/${dirname(relative(APP, file))}`.replace(/\[(\w+)\]/g, '{$1}');
}

/** Every JSON route the app serves, as "METHOD /path", from the files and their exports. */
async function servedOperations(): Promise<string[]> {
  const files = [...routeFiles(join(APP, 'api')), ...routeFiles(join(APP, 'admin'))];
  const operations = await Promise.all(
    files.map(async (file) => {
      const module: object = await import(file);
      return Object.keys(module)
        .filter((name) => METHODS.includes(name))
        .map((method) => `${method} ${documentPath(file)}`);
    }),
  );
  return operations.flat().sort();
}

const documentShape = z.object({
  openapi: z.string(),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  components: z.object({ securitySchemes: z.record(z.string(), z.unknown()) }),
});

async function fetchDocument() {
  const { status, body } = await jsonOf(await GET(makeRequest('GET', '/api/openapi.json')));
  expect(status).toBe(200);
  return { body, document: documentShape.parse(body) };
}

describe('GET /api/openapi.json', () => {
  it('serves a document that validates against the OpenAPI 3.1 schema', async () => {
    const { body, document } = await fetchDocument();
    expect(document.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(z.looseObject({}).parse(body));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every route file under app/api and app/admin, by path and method, and nothing else', async () => {
    const { document } = await fetchDocument();
    const documented = Object.entries(document.paths)
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const served = await servedOperations();
    expect(served.length).toBeGreaterThan(15);
    expect(documented).toEqual(served);
  });

  it('names the four ways in: access token, refresh token, session cookie, Polka API key', async () => {
    const { document } = await fetchDocument();
    expect(Object.keys(document.components.securitySchemes)).toEqual(
      expect.arrayContaining(['accessToken', 'refreshToken', 'sessionCookie', 'polkaApiKey']),
    );
    const me = z.object({ get: z.object({ security: z.array(z.unknown()) }) }).parse(document.paths['/api/me']);
    expect(me.get.security).toEqual([{ accessToken: [] }, { sessionCookie: [] }]);
  });

  it('answers with Cache-Control: no-store, like every API answer', async () => {
    const response = await GET(makeRequest('GET', '/api/openapi.json'));
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});
