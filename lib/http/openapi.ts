import { z } from 'zod';
import { type AnyRouteDeclaration, declaredResponses, type RouteAuth } from './declare-route';

/**
 * The OpenAPI 3.1 document, built from the routes' declarations with zod's own JSON Schema
 * output: OpenAPI 3.1 speaks JSON Schema 2020-12, which z.toJSONSchema writes, so no library
 * sits between the schemas the routes parse with and the document.
 */

type JsonObject = { [key: string]: unknown };

const SECURITY_SCHEMES = {
  accessToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An access token from POST /api/login or POST /api/refresh.',
  },
  refreshToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'A refresh token from POST /api/login (`Authorization: Bearer <refresh token>`).',
  },
  sessionCookie: {
    type: 'apiKey',
    in: 'cookie',
    name: 'chirpy_access',
    description:
      'The browser session’s access cookie (`__Host-chirpy_access` over https), renewed from `chirpy_refresh` on the way. Writes must come from Chirpy’s own origin.',
  },
  refreshCookie: {
    type: 'apiKey',
    in: 'cookie',
    name: 'chirpy_refresh',
    description: 'The browser session’s refresh cookie (`__Host-chirpy_refresh` over https).',
  },
  polkaApiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: 'Polka’s key: `Authorization: ApiKey <POLKA_KEY>`.',
  },
  cronSecret: { type: 'http', scheme: 'bearer', description: 'The scheduler’s `CRON_SECRET`.' },
} as const;

type SchemeName = keyof typeof SECURITY_SCHEMES;

/** Each alternative is one way in; an empty list means no credentials. */
const SECURITY: Record<RouteAuth, SchemeName[]> = {
  none: [],
  bearer: ['accessToken'],
  session: ['sessionCookie'],
  either: ['accessToken', 'sessionCookie'],
  refresh: ['refreshToken', 'refreshCookie'],
  apiKey: ['polkaApiKey'],
  cron: ['cronSecret'],
};

/** A request is described as it may be sent (defaults optional), an answer as it is produced. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
  });
  return rest;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonObject[] {
  if (schema === undefined) return [];
  const object = jsonSchema(schema, 'input');
  const properties = z.record(z.string(), z.looseObject({})).catch({}).parse(object.properties);
  const required = z.array(z.string()).catch([]).parse(object.required);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.includes(name),
    schema: property,
  }));
}

function operation(declaration: AnyRouteDeclaration): JsonObject {
  const responses = Object.fromEntries(
    Object.entries(declaredResponses(declaration)).map(([status, response]) => [
      status,
      response.body === null
        ? { description: response.description }
        : {
            description: response.description,
            content: { 'application/json': { schema: jsonSchema(response.body, 'output') } },
          },
    ]),
  );
  const body =
    declaration.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: jsonSchema(declaration.body, 'input'),
                ...(declaration.bodyExample === undefined ? {} : { example: declaration.bodyExample }),
              },
            },
          },
        };
  return {
    operationId: `${declaration.method.toLowerCase()}${declaration.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: declaration.summary,
    ...(declaration.description === undefined ? {} : { description: declaration.description }),
    tags: declaration.tags,
    security: SECURITY[declaration.auth].map((scheme) => ({ [scheme]: [] })),
    parameters: [...parameters(declaration.params?.schema, 'path'), ...parameters(declaration.query, 'query')],
    ...body,
    responses,
  };
}

export function buildOpenApiDocument(declarations: AnyRouteDeclaration[]): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const declaration of declarations) {
    const item = paths[declaration.path] ?? {};
    item[declaration.method.toLowerCase()] = operation(declaration);
    paths[declaration.path] = item;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Chirpy API',
      version: '1.0.0',
      description:
        'Every answer has `Cache-Control: no-store`. Errors are `{"error": "…"}`, with `code` (a stable key) when the message is from the catalogue.',
    },
    paths,
    components: { securitySchemes: SECURITY_SCHEMES },
  };
}
