import * as v from 'valibot';
import type { Transcriber } from '../../tasks/types.ts';
import type { TaskParams } from '../../contract/task-params.ts';
import { AppError } from '../app-error.ts';
import { parseTaskForm } from '../intake/task-params-schema.ts';
import { boolField, parseInput, rejectUnknownFields } from '../validation.ts';

/** The multipart fields OpenAI's audio endpoints take besides `file` (chunking_strategy is accepted and ignored; include[] is refused). */
export const OPENAI_FIELDS = [
  'model', 'language', 'prompt', 'response_format', 'temperature', 'timestamp_granularities[]', 'stream', 'include[]', 'chunking_strategy', 'callback_url',
] as const;

/** The response formats of OpenAI's audio endpoints. */
export const OPENAI_FORMATS = ['json', 'text', 'srt', 'verbose_json', 'vtt', 'diarized_json'] as const;
export type OpenAiFormat = (typeof OPENAI_FORMATS)[number];
export type Granularity = 'word' | 'segment';

/** A validated OpenAI request. */
export interface OpenAiRequest {
  params: TaskParams;
  format: OpenAiFormat;
  granularities: Granularity[];
  stream: boolean;
}

const FormSchema = v.object({
  response_format: v.optional(v.picklist(OPENAI_FORMATS, `must be one of ${OPENAI_FORMATS.join(', ')}`), 'json'),
  'timestamp_granularities[]': v.optional(
    v.pipe(
      v.string(),
      v.transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
      v.array(v.picklist(['word', 'segment'], 'must be word or segment')),
    ),
  ),
  stream: v.optional(boolField),
});

// Options this server cannot honour are refused rather than silently ignored.
function refuseUnsupported(fields: Record<string, string>, format: string, stream: boolean): void {
  const include = (fields['include[]'] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  if (include.length > 0) {
    throw new AppError(400, 'INVALID_FIELD', `include[]=${include.join(',')} is not supported here: this server returns no token logprobs.`, [
      { field: 'include[]', message: 'not supported' },
    ]);
  }
  if (stream && !['json', 'text'].includes(format)) {
    throw new AppError(400, 'INVALID_FIELD', `stream=true sends text deltas; it works with response_format json or text, not ${format}.`, [
      { field: 'stream', message: `not available with response_format ${format}` },
    ]);
  }
}

/** Validates the form; the task options go through the same schema and model checks as POST /tasks. */
export function parseOpenAiForm(
  fields: Record<string, string>,
  task: TaskParams['task'],
  model: ReturnType<Transcriber['modelInfo']>,
  canDiarize = false,
): OpenAiRequest {
  rejectUnknownFields(fields, ['file', ...OPENAI_FIELDS]);
  const form = parseInput(FormSchema, {
    response_format: fields.response_format,
    'timestamp_granularities[]': fields['timestamp_granularities[]'],
    stream: fields.stream,
  });
  const granularities: Granularity[] = [...new Set(form['timestamp_granularities[]'] ?? ['segment' as const])];
  if (fields['timestamp_granularities[]'] !== undefined && form.response_format !== 'verbose_json') {
    throw new AppError(400, 'INVALID_FIELD', 'timestamp_granularities[] needs response_format verbose_json.', [
      { field: 'timestamp_granularities[]', message: 'needs response_format verbose_json' },
    ]);
  }
  refuseUnsupported(fields, form.response_format, form.stream ?? false);
  const taskFields: Record<string, string> = { task, word_timestamps: String(granularities.includes('word')) };
  // OpenAI's diarized_json is the one format that carries speakers: it turns diarization on.
  if (form.response_format === 'diarized_json') taskFields.diarize = 'true';
  if (fields.language !== undefined && fields.language !== '') taskFields.language = fields.language;
  if (fields.prompt !== undefined) taskFields.initial_prompt = fields.prompt;
  if (fields.temperature !== undefined && fields.temperature !== '') taskFields.temperature = fields.temperature;
  return { params: parseTaskForm(taskFields, model, canDiarize), format: form.response_format, granularities, stream: form.stream ?? false };
}
