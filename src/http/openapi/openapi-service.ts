import { errorResponses, openAiErrorResponses } from './openapi-common.ts';
import type { JsonSchemaObject, RouteDoc } from './route-doc.ts';
import { LiveSchema, ModelListSchema, ModelSchema, OpenAiTextSchema, ReadySchema } from './openapi-schemas.ts';
import { OPENAI_FIELDS, OPENAI_FORMATS } from '../openai/openai-form.ts';

const TEXT: JsonSchemaObject = { type: 'string' };

const openAiForm: JsonSchemaObject = {
  type: 'object',
  required: ['file'],
  properties: {
    file: { type: 'string', format: 'binary', contentMediaType: 'application/octet-stream' },
    ...Object.fromEntries(OPENAI_FIELDS.map((name) => [name, { type: 'string' }])),
    response_format: { type: 'string', enum: [...OPENAI_FORMATS], default: 'json' },
    stream: { type: 'string', enum: ['true', 'false'], description: 'true: server-sent events transcript.text.delta, then transcript.text.done' },
  },
};

const audioRoute = (summary: string): RouteDoc => ({
  tag: 'OpenAI-compatible', summary,
  headers: { 'Idempotency-Key': 'Makes a retry safe: the same key with the same request (within IDEMPOTENCY_TTL_HOURS, per API key) gets the first request\'s task; with a different request, 422 IDEMPOTENCY_KEY_REUSED' },
  description: 'Same fields as OpenAI\'s audio API; the request becomes an ordinary task (it queues with the rest; the task id is in X-Task-Id) and is answered when it ends.',
  body: { content: { 'multipart/form-data': openAiForm } },
  responses: {
    200: {
      description: 'The transcript in response_format',
      schema: OpenAiTextSchema,
      alternatives: { 'text/plain': TEXT, 'application/x-subrip': TEXT, 'text/vtt': TEXT, 'text/event-stream': TEXT },
      headers: { 'X-Task-Id': 'The task that did the work' },
    },
    ...openAiErrorResponses(400, 401, 413, 415, 422, 429, 500, 503, 507),
  },
});

/** The documentation of the OpenAI-compatible /v1 routes. */
export function openAiDocs() {
  return {
    transcriptions: audioRoute('Transcribe (OpenAI-compatible)'),
    translations: audioRoute('Translate to English (OpenAI-compatible)'),
    models: { tag: 'OpenAI-compatible', summary: 'The loaded model', responses: { 200: { description: 'Models', schema: ModelListSchema }, ...openAiErrorResponses(401) } },
    model: { tag: 'OpenAI-compatible', summary: 'One model', responses: { 200: { description: 'The model', schema: ModelSchema }, ...openAiErrorResponses(401, 404) } },
  } satisfies Record<string, RouteDoc>;
}

/** The documentation of health, metrics, this description and the web page. */
export function serviceDocs() {
  return {
    live: { tag: 'Operations', public: true, summary: 'Liveness: the process answers', responses: { 200: { description: 'Alive', schema: LiveSchema } } },
    ready: {
      tag: 'Operations', public: true, summary: 'Readiness: database open and a worker has its model',
      responses: { 200: { description: 'Ready', schema: ReadySchema }, 503: { description: 'Not ready', schema: ReadySchema } },
    },
    metrics: {
      tag: 'Operations', summary: 'Prometheus metrics (text exposition format 0.0.4)',
      responses: { 200: { description: 'Metrics', schema: TEXT, contentType: 'text/plain' }, ...errorResponses(401) },
    },
    openapi: { tag: 'Operations', public: true, summary: 'This document (OpenAPI 3.1)', responses: { 200: { description: 'The document', schema: { type: 'object' } } } },
    docs: { tag: 'Operations', public: true, summary: 'This document as a web page', responses: { 200: { description: 'HTML', schema: TEXT, contentType: 'text/html' } } },
    page: { tag: 'Web', public: true, summary: 'The web page (upload, live progress, transcripts)', responses: { 200: { description: 'HTML', schema: TEXT, contentType: 'text/html' }, 503: { description: 'The page is not built' } } },
    assets: {
      tag: 'Web', public: true, summary: "The web page's scripts and styles (hashed names, cached a year)",
      responses: { 200: { description: 'The asset', schema: TEXT, contentType: 'text/javascript' }, ...errorResponses(404) },
    },
  } satisfies Record<string, RouteDoc>;
}
