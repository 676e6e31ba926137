import { toJsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import type { ApiOperation, JsonSchemaObject } from './route-doc.ts';

/** The document's title, version and description. */
export interface ApiInfo {
  title: string;
  version: string;
  description: string;
}

// `input` stops at the first transform: a form field is documented as the string the client sends.
const CONVERT = { target: 'draft-2020-12', errorMode: 'ignore', typeMode: 'input' } as const;

/** A valibot schema (or a JSON Schema as is) as JSON Schema 2020-12, which OpenAPI 3.1 uses. */
export function jsonSchemaOf(schema: v.GenericSchema | JsonSchemaObject): JsonSchemaObject {
  if (!('kind' in schema && schema.kind === 'schema')) return schema as JsonSchemaObject;
  const { $schema: _dialect, ...rest } = toJsonSchema(schema as v.GenericSchema, CONVERT) as JsonSchemaObject;
  return rest;
}

/** `/tasks/:id` → `/tasks/{id}`. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z_]\w*)/g, '{$1}');
}

function parameters(op: ApiOperation) {
  const path = [...op.path.matchAll(/:([A-Za-z_]\w*)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  const query = Object.entries(op.query?.entries ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: schema.type !== 'optional',
    schema: jsonSchemaOf(schema.type === 'optional' ? (schema as v.OptionalSchema<v.GenericSchema, unknown>).wrapped : schema),
  }));
  const headers = Object.entries(op.headers ?? {}).map(([name, description]) => ({ name, in: 'header', required: false, description, schema: { type: 'string' } }));
  return [...path, ...query, ...headers];
}

function responses(op: ApiOperation) {
  return Object.fromEntries(Object.entries(op.responses).map(([status, r]) => {
    const content: Record<string, { schema: JsonSchemaObject }> = {};
    if (r.schema) content[r.contentType ?? 'application/json'] = { schema: jsonSchemaOf(r.schema) };
    for (const [type, schema] of Object.entries(r.alternatives ?? {})) content[type] = { schema };
    const headers = r.headers && Object.fromEntries(Object.entries(r.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]));
    return [status, { description: r.description, ...(Object.keys(content).length > 0 && { content }), ...(headers && { headers }) }];
  }));
}

/** Builds the OpenAPI 3.1 document: one path item per route, bearer security except on public routes. */
export function buildOpenApiDocument(operations: readonly ApiOperation[], info: ApiInfo) {
  const paths: Record<string, Record<string, object>> = {};
  for (const op of operations) {
    const item = (paths[openApiPath(op.path)] ??= {});
    item[op.method] = {
      operationId: `${op.method}${op.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
      summary: op.summary,
      ...(op.description && { description: op.description }),
      tags: [op.tag],
      parameters: parameters(op),
      ...(op.body && {
        requestBody: {
          required: true,
          ...(op.body.description && { description: op.body.description }),
          content: Object.fromEntries(Object.entries(op.body.content).map(([type, schema]) => [type, { schema: jsonSchemaOf(schema) }])),
        },
      }),
      responses: responses(op),
      ...(op.public && { security: [] }),
    };
  }
  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'One of the keys in API_KEYS (when it is set). The WebSocket also takes it as ?token=.' },
      },
    },
    paths,
  };
}

/** The document's type. */
export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
