import * as v from 'valibot';
import { RESULT_FORMATS } from '../../formats/render.ts';
import { errorResponses } from '../openapi/openapi-common.ts';
import { jsonSchemaOf } from '../openapi/openapi-document.ts';
import type { JsonSchemaObject, RouteDoc } from '../openapi/route-doc.ts';
import { ErrorBodySchema } from '../../contract/error-body.ts';
import { PollingSchema, ProgressSchema, TaskCreatedSchema, TaskDetailSchema, TaskListSchema } from '../../contract/task-json.ts';
import { TranscriptJsonSchema } from '../../contract/transcript-json.ts';
import { ResultQuerySchema } from './result-routes.ts';
import { TaskFormSchema } from '../intake/task-params-schema.ts';
import { ListQuerySchema } from './tasks-routes.ts';

const FILE: JsonSchemaObject = { type: 'string', format: 'binary', contentMediaType: 'application/octet-stream', description: 'The audio or video file' };
const TEXT: JsonSchemaObject = { type: 'string' };

function uploadForm(): JsonSchemaObject {
  const form = jsonSchemaOf(TaskFormSchema) as { properties: Record<string, unknown> };
  return { type: 'object', properties: { file: FILE, ...form.properties }, required: ['file'] };
}

function urlBody(): JsonSchemaObject {
  const form = jsonSchemaOf(TaskFormSchema) as { properties: Record<string, unknown> };
  return {
    type: 'object',
    description: 'The options may also be JSON booleans and numbers.',
    properties: { url: { type: 'string', format: 'uri', maxLength: 4096, description: 'http(s) URL the server downloads the media from (private addresses are refused)' }, ...form.properties },
    required: ['url'],
  };
}

/** The documentation of the /tasks routes, the task's media for playback and the progress WebSocket, attached where each is registered. */
export function taskDocs() {
  return {
    submit: {
      tag: 'Tasks', summary: 'Submit media for transcription',
      headers: { 'Idempotency-Key': 'Makes a retry safe: the same key with the same request (within IDEMPOTENCY_TTL_HOURS, per API key) gets the first request\'s task; with a different request, 422 IDEMPOTENCY_KEY_REUSED' },
      description: 'Upload a file (multipart, field `file`) or give a URL (JSON `{url, ...}`). The answer comes as soon as the task is queued; follow it with the WebSocket or the progress URL. The queue limit is checked before the body is read.',
      body: { content: { 'multipart/form-data': uploadForm(), 'application/json': urlBody() } },
      responses: { 202: { description: 'Queued', schema: TaskCreatedSchema }, ...errorResponses(400, 401, 413, 415, 422, 429, 503, 507) },
    },
    list: {
      tag: 'Tasks', summary: 'List tasks, newest first',
      description: 'With API keys on, only the tasks of the calling key.',
      query: ListQuerySchema,
      responses: { 200: { description: 'A page of tasks', schema: TaskListSchema }, ...errorResponses(400, 401) },
    },
    read: {
      tag: 'Tasks', summary: 'A task: state, options, queue place and ETA, partial segments, result',
      responses: { 200: { description: 'The task', schema: TaskDetailSchema }, ...errorResponses(401, 404) },
    },
    progress: {
      tag: 'Progress', summary: 'Progress for polling (works without any WebSocket)',
      responses: { 200: { description: 'Progress', schema: PollingSchema }, ...errorResponses(401, 404) },
    },
    result: {
      tag: 'Tasks', summary: 'The transcript in a format',
      query: ResultQuerySchema,
      responses: {
        200: {
          description: `The transcript (${RESULT_FORMATS.join(', ')}); download=1 adds Content-Disposition`,
          schema: TranscriptJsonSchema,
          alternatives: { 'text/plain': TEXT, 'application/x-subrip': TEXT, 'text/vtt': TEXT, 'text/tab-separated-values': TEXT },
        },
        ...errorResponses(400, 401, 404, 409),
      },
    },
    cancel: {
      tag: 'Tasks', summary: 'Cancel a queued or running task',
      responses: {
        200: { description: 'Cancelled', schema: ProgressSchema },
        202: { description: 'A running task was asked to stop', schema: ProgressSchema },
        ...errorResponses(401, 404, 409, 429),
      },
    },
    remove: {
      tag: 'Tasks', summary: 'Delete a task, its media and its result (cancels it first)',
      responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 404, 429) },
    },
    media: {
      tag: 'Tasks', summary: "The task's media, for playback (byte ranges supported)",
      headers: { Range: 'One `bytes=` range' },
      responses: {
        200: { description: 'The file', schema: FILE, contentType: 'application/octet-stream' },
        206: { description: 'Part of the file', schema: FILE, contentType: 'application/octet-stream' },
        ...errorResponses(401, 404, 410, 416),
      },
    },
    socket: {
      tag: 'Progress', summary: 'Live progress over WebSocket',
      description: [
        'Upgrade to WebSocket. The key goes in `Authorization` or, from browsers, in `?token=`; it is checked before the upgrade (401).',
        'Server frames (JSON text): `progress` (stage, percentage, message, timestamp; queue_position and eta_seconds while queued, stage_progress and eta_seconds while running),',
        '`segment` (a new transcript segment), `error` (error_code, user_message, technical_detail), `heartbeat`, and `pong` for a client `{"type":"ping"}`.',
        'Close codes: 4404 unknown task (or another key\'s), 4429 too many connections, 1009 frame too big, 1001 server shutting down.',
      ].join(' '),
      query: v.object({ token: v.optional(v.pipe(v.string(), v.description('The API key, for browsers (which cannot set headers on a WebSocket)'))) }),
      responses: {
        101: { description: 'Switching protocols: the socket is open' },
        ...errorResponses(401),
        426: { description: 'A plain GET without the WebSocket upgrade', schema: ErrorBodySchema },
      },
    },
  } satisfies Record<string, RouteDoc>;
}
