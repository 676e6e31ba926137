import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { contentTypeFor } from '../../formats/render.ts';
import { renderSrt } from '../../formats/srt.ts';
import { diarizedJson } from '../../formats/diarized-json.ts';
import { verboseJson } from '../../formats/verbose-json.ts';
import { renderVtt } from '../../formats/vtt.ts';
import type { TaskParams } from '../../contract/task-params.ts';
import type { TranscriptResult } from '../../contract/transcript.ts';
import type { AppDeps } from '../app-deps.ts';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../app-error.ts';
import { handleOpenAiError, openAiErrorBody, taskFailureResponse } from './openai-errors.ts';
import { OPENAI_FIELDS, parseOpenAiForm, type OpenAiRequest } from './openai-form.ts';
import { waitForTask } from '../../tasks/task-waiter.ts';
import { readMediaUpload } from '../tasks/task-create.ts';
import { modelIds } from '../intake/model-field.ts';
import { submitMedia } from '../intake/submit-media.ts';
import { documentLast } from '../openapi/route-doc.ts';
import { openAiDocs } from '../openapi/openapi-service.ts';

/**
 * OpenAI-compatible routes under /v1: POST audio/transcriptions and audio/translations (multipart,
 * answered when the task ends, or as SSE with stream=true) and GET models. Requests become ordinary
 * tasks, so they queue with the rest and show live progress; errors use OpenAI's envelope.
 */
export function openAiRoutes(deps: AppDeps): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const docs = openAiDocs();
  routes.onError(handleOpenAiError(deps.logger));
  routes.post('/audio/transcriptions', (c) => transcribe(c, deps, 'transcribe'));
  documentLast(routes, docs.transcriptions);
  routes.post('/audio/translations', (c) => transcribe(c, deps, 'translate'));
  documentLast(routes, docs.translations);
  routes.get('/models', (c) => c.json({ object: 'list', data: modelList(deps) }));
  documentLast(routes, docs.models);
  routes.get('/models/:id', (c) => {
    const model = modelList(deps).find((m) => m.id === c.req.param('id'));
    if (!model) throw new AppError(404, 'MODEL_NOT_FOUND', `The model "${c.req.param('id').slice(0, 100)}" does not exist here.`, [{ field: 'model' }]);
    return c.json(model);
  });
  documentLast(routes, docs.model);
  routes.all('*', (c) => c.json(openAiErrorBody(404, `No route for ${c.req.method} ${c.req.path}.`, 'NOT_FOUND'), 404));
  return routes;
}

// The model id is the loaded model's name; `created` is fixed because a file has no creation date to report.
function modelList(deps: AppDeps) {
  // With WHISPER_MODELS: every model a request may name, `whisper-1` (the default) first.
  if (deps.models) return modelIds(deps.models).map((id) => ({ id, object: 'model' as const, created: 0, owned_by: 'whisper.cpp' }));
  const info = deps.engine.modelInfo();
  return info ? [{ id: info.name, object: 'model' as const, created: 0, owned_by: 'whisper.cpp' }] : [];
}

async function transcribe(c: Context<AppEnv>, deps: AppDeps, task: TaskParams['task']) {
  const { file, fields } = await readMediaUpload(c, deps, OPENAI_FIELDS);
  if (!file) throw new AppError(400, 'FILE_REQUIRED', 'Attach the audio as a file in the multipart field "file".', [{ field: 'file' }]);
  let request: OpenAiRequest | undefined;
  const submitted = await submitMedia(c, deps, {
    media: file,
    model: fields.model,
    callbackUrl: fields.callback_url,
    params: (selected) => (request = parseOpenAiForm(fields, task, selected.info, deps.canDiarize)).params,
    identity: { route: `POST ${c.req.path}`, fields },
    nameInMessages: false,
  });
  // parseOpenAiForm has run: the options are valid once a task exists.
  request = { ...request!, params: submitted.task.params };
  const taskId = submitted.task.id;
  // A client that goes away no longer wants the transcript: free the worker for others.
  const signal = c.req.raw.signal;
  const onAbort = () => void deps.tasks.cancel(taskId).catch((err: unknown) => deps.logger.warn({ err, taskId }, 'cancel after disconnect failed'));
  // A client that sent an Idempotency-Key will retry for this same task: leave it running.
  if (c.req.header('idempotency-key') === undefined) signal.addEventListener('abort', onAbort, { once: true });
  c.header('x-task-id', taskId);
  if (request.stream) return streamTranscript(c, deps, taskId, () => signal.removeEventListener('abort', onAbort));
  const outcome = await waitForTask(deps, taskId).done;
  signal.removeEventListener('abort', onAbort);
  if (!outcome.ok) {
    const { status, body } = taskFailureResponse(outcome.error);
    return c.json(body, status);
  }
  return respond(c, outcome.result, request);
}

function respond(c: Context<AppEnv>, result: TranscriptResult, request: OpenAiRequest) {
  const { params, format, granularities } = request;
  switch (format) {
    case 'json': return c.json({ text: result.text.trim() });
    case 'text': return c.body(`${result.text.trim()}\n`, 200, { 'Content-Type': contentTypeFor('text') });
    case 'srt': return c.body(renderSrt(result), 200, { 'Content-Type': contentTypeFor('srt') });
    case 'vtt': return c.body(renderVtt(result), 200, { 'Content-Type': contentTypeFor('vtt') });
    case 'verbose_json': return c.json(verboseJson(result, { task: params.task, temperature: params.temperature, granularities }));
    case 'diarized_json': return c.json(diarizedJson(result));
  }
}

/** SSE in OpenAI's shape: a transcript.text.delta per segment as it is decoded, then transcript.text.done. */
function streamTranscript(c: Context<AppEnv>, deps: AppDeps, taskId: string, cleanup: () => void) {
  return streamSSE(c, async (sse) => {
    let sent = '';
    const send = (payload: object) => sse.writeSSE({ data: JSON.stringify(payload) });
    let queue = Promise.resolve();
    const waiter = waitForTask(deps, taskId, (segment) => {
      // The deltas add up to the final text, which is trimmed at the start.
      const delta = sent === '' ? segment.text.trimStart() : segment.text;
      if (delta === '') return;
      sent += delta;
      queue = queue.then(() => send({ type: 'transcript.text.delta', delta }));
    });
    sse.onAbort(() => waiter.stop());
    try {
      const outcome = await waiter.done;
      await queue;
      if (outcome.ok) await send({ type: 'transcript.text.done', text: outcome.result.text.trim() });
      else await send(taskFailureResponse(outcome.error).body);
    } finally {
      cleanup();
    }
  });
}
