import * as v from 'valibot';
import type { TaskParams } from '../../tasks/types.ts';
import type { Transcriber } from '../../tasks/types.ts';
import { DIARIZATION_DOWNLOAD } from '../../diarization-models.ts';
import { VAD_DOWNLOAD } from '../../model-path.ts';
import { AppError } from '../app-error.ts';
import { boolField, intField, numberField, parseInput, rejectUnknownFields } from '../validation.ts';

/** The multipart text fields POST /tasks accepts besides `file`. */
export const TASK_FORM_FIELDS = [
  'language',
  'task',
  'vad',
  'word_timestamps',
  'diarize',
  'num_speakers',
  'min_speakers',
  'max_speakers',
  'initial_prompt',
  'temperature',
  'callback_url',
  'model',
] as const;

/** Options a client leaves out get these values. */
export const DEFAULT_TASK_PARAMS: TaskParams = {
  language: 'auto',
  task: 'transcribe',
  vad: false,
  wordTimestamps: true,
  diarize: false,
  temperature: 0,
};

/** The text fields of a task form, all optional, as strings in and typed values out. */
export const TaskFormSchema = v.object({
  language: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.toLowerCase(),
      v.regex(/^(auto|[a-z]{2,3})$/, 'must be "auto" or a language code such as "en" or "de"'),
    ),
  ),
  task: v.optional(v.picklist(['transcribe', 'translate'], 'must be "transcribe" or "translate"')),
  vad: v.optional(boolField),
  word_timestamps: v.optional(boolField),
  diarize: v.optional(boolField),
  num_speakers: v.optional(intField(1, 20)),
  min_speakers: v.optional(intField(1, 20)),
  max_speakers: v.optional(intField(1, 20)),
  initial_prompt: v.optional(v.pipe(v.string(), v.maxLength(1000, 'must be at most 1000 characters'))),
  temperature: v.optional(numberField(0, 1)),
  // Read by the route (src/http/model-field.ts), which checks it against WHISPER_MODELS.
  model: v.optional(v.pipe(v.string(), v.maxLength(200, 'must be at most 200 characters'),
    v.description('A model id from GET /v1/models, or whisper-1 for the default (WHISPER_MODEL)'))),
  // Read by the route (src/http/webhook-target.ts), not a transcription option.
  callback_url: v.optional(v.pipe(v.string(), v.maxLength(2048, 'must be at most 2048 characters'),
    v.description('http(s) URL that gets signed webhooks (Standard Webhooks) for this task; private addresses are refused unless URL_FETCH_ALLOW_HOSTS allows them'))),
});

/** Validates form fields into TaskParams: unknown fields and bad values are 400, contradictions 422. */
export function parseTaskForm(
  fields: Record<string, string>,
  model: ReturnType<Transcriber['modelInfo']> = null,
  canDiarize = false,
  canVad = true,
): TaskParams {
  rejectUnknownFields(fields, ['file', ...TASK_FORM_FIELDS]);
  const form = parseInput(TaskFormSchema, fields);
  checkSpeakerBounds(form);
  const params: TaskParams = {
    language: form.language ?? DEFAULT_TASK_PARAMS.language,
    task: form.task ?? DEFAULT_TASK_PARAMS.task,
    vad: form.vad ?? DEFAULT_TASK_PARAMS.vad,
    wordTimestamps: form.word_timestamps ?? DEFAULT_TASK_PARAMS.wordTimestamps,
    diarize: form.diarize ?? DEFAULT_TASK_PARAMS.diarize,
    temperature: form.temperature ?? DEFAULT_TASK_PARAMS.temperature,
    ...(form.num_speakers !== undefined && { numSpeakers: form.num_speakers }),
    ...(form.min_speakers !== undefined && { minSpeakers: form.min_speakers }),
    ...(form.max_speakers !== undefined && { maxSpeakers: form.max_speakers }),
    ...(form.initial_prompt !== undefined && form.initial_prompt !== '' && { initialPrompt: form.initial_prompt }),
  };
  checkAgainstModel(params, model);
  if (params.diarize && !canDiarize) {
    // Refused rather than silently skipped: a client asking for speakers must not get a transcript without them.
    throw new AppError(422, 'DIARIZATION_UNAVAILABLE',
      `Speaker labelling (diarize) is not available on this server: its models are not installed. An administrator can fetch them with "${DIARIZATION_DOWNLOAD}"; or submit without diarize.`);
  }
  if (params.vad && !canVad) {
    // Refused here: accepted, it would only fail later as PROCESSING_FAILED when the worker looks for the model.
    throw new AppError(422, 'VAD_UNAVAILABLE',
      `Voice activity detection (vad) is not available on this server: its model is not installed. An administrator can fetch it with "${VAD_DOWNLOAD}"; or submit without vad.`);
  }
  return params;
}

// Bounds are 1..20 each (the schema); together they must leave at least one possible count.
function checkSpeakerBounds(form: { num_speakers?: number; min_speakers?: number; max_speakers?: number }): void {
  const { num_speakers: exact, min_speakers: min, max_speakers: max } = form;
  const refuse = (field: string, message: string) => {
    throw new AppError(400, 'INVALID_FIELD', `Invalid value for "${field}": ${message}.`, [{ field, message }]);
  };
  if (min !== undefined && max !== undefined && min > max) refuse('min_speakers', `must not be greater than max_speakers (${min} > ${max})`);
  if (exact !== undefined && min !== undefined && exact < min) refuse('num_speakers', `must not be less than min_speakers (${exact} < ${min})`);
  if (exact !== undefined && max !== undefined && exact > max) refuse('num_speakers', `must not be greater than max_speakers (${exact} > ${max})`);
}

// An English-only model can neither translate nor transcribe another language; say so before queueing.
function checkAgainstModel(params: TaskParams, model: ReturnType<Transcriber['modelInfo']>): void {
  if (!model || model.multilingual) return;
  if (params.language !== 'auto' && params.language !== 'en') {
    throw new AppError(422, 'LANGUAGE_UNSUPPORTED', `The loaded model (${model.name}) is English-only; language "${params.language}" is not available.`);
  }
  if (params.task === 'translate') {
    throw new AppError(422, 'LANGUAGE_UNSUPPORTED', `The loaded model (${model.name}) is English-only and cannot translate.`);
  }
}
